using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace RoutedEmail.Server.Security;

/// <summary>
/// Writes RFC 9457 problem details that name the reason of a refused authorization, instead of an empty 403.
/// Challenges go to the schemes, which return 401 with their own details.
/// </summary>
internal sealed class AuthorizationProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(
        RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message
            ?? "Your sign-in does not allow this route. Sign in with a user that has the needed role.";
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Access denied.", detail: reason)
            .ExecuteAsync(context);
    }
}
