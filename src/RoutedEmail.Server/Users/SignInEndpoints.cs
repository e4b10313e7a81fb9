using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Users;

/// <summary>
/// <c>POST /api/v1/sign-in</c> and <c>POST /api/v1/sign-out</c>: sessions of a tenant's users, as a bearer token and,
/// on request, as an HttpOnly cookie for the browser.
/// </summary>
internal static partial class SignInEndpoints
{
    private static string? _placeholderHash;

    public static void MapUserSignIn(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1").WithTags("Users");
        group.MapPost("/sign-in", SignInAsync)
            .WithSummary("Checks a user's password and returns a token; with ?cookie=true also sets the session cookie.");
        group.MapPost("/sign-out", SignOutAsync).RequireAuthorization(AuthNames.UserPolicy)
            .WithSummary("Ends the session of the token or cookie and deletes the cookie.");
    }

    private static async Task<Results<Ok<UserSignInResponse>, ProblemHttpResult>> SignInAsync(
        UserSignInRequest request, [FromQuery] bool? cookie, HttpContext context, ITenantStore tenants,
        IUserStore users, IPasswordHasher<AgentAccount> hasher, SignInFailureLimiter limiter, TimeProvider time,
        IOptions<UserSignInOptions> options, ILogger<UserSignInRequest> logger, CancellationToken cancellationToken)
    {
        var invalid = TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed.",
            detail: "The company code, environment, user id or password is not valid. Check them and try again.");
        if (request.CompanyCode is null || request.Environment is null || request.UserId is null
            || request.Password is null)
        {
            return invalid;
        }

        var client = context.Connection.RemoteIpAddress;
        var tenant = await tenants.FindTenantAsync(request.CompanyCode, request.Environment, cancellationToken);
        var tenantId = tenant?.Id ?? 0;
        if (limiter.CheckBlocked(tenantId, request.UserId, client) is { } wait)
        {
            return TooManyFailures(context, wait);
        }

        var credentials = tenant is null
            ? null
            : await users.FindCredentialsAsync(tenant.Id, request.UserId, cancellationToken);

        // An unknown user is checked against a placeholder hash, so the response time does not reveal which user
        // ids exist.
        var account = new AgentAccount(tenantId, request.UserId);
        var verified = hasher.VerifyHashedPassword(
            account, credentials?.PasswordHash ?? PlaceholderHash(hasher), request.Password);
        if (credentials is null || !credentials.Enabled || verified == PasswordVerificationResult.Failed)
        {
            limiter.RecordFailure(tenantId, request.UserId, client);
            Log.Rejected(logger, tenantId, request.UserId, credentials is { Enabled: false } ? "disabled" : "invalid");
            return invalid;
        }

        limiter.RecordSuccess(tenantId, request.UserId);
        var token = SecretTokens.Create();
        var expiresAt = time.GetUtcNow() + options.Value.SessionLifetime;
        await users.CreateSessionAsync(tenantId, request.UserId, SecretTokens.Hash(token), expiresAt, cancellationToken);
        if (cookie == true)
        {
            context.Response.Cookies.Append(SessionTokens.CookieName, token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                Expires = request.Persistent == true ? expiresAt : null,
            });
        }

        Log.SignedIn(logger, tenantId, request.UserId);
        return TypedResults.Ok(new UserSignInResponse(token, request.UserId, credentials.Roles, expiresAt));
    }

    private static async Task<NoContent> SignOutAsync(
        HttpContext context, ClaimsPrincipal user, IUserStore users, ILogger<UserSignInRequest> logger,
        CancellationToken cancellationToken)
    {
        await users.EndSessionAsync(SecretTokens.Hash(SessionTokens.Read(context.Request)!.Value.Token), cancellationToken);
        context.Response.Cookies.Delete(SessionTokens.CookieName, new CookieOptions { Path = "/" });
        var tenantId = long.Parse(user.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture);
        Log.SignedOut(logger, tenantId, user.FindFirstValue(AuthNames.UserIdClaim)!);
        return TypedResults.NoContent();
    }

    /// <summary>Sets <c>Retry-After</c> in whole seconds and returns the 429 problem for a sign-in past the limit.</summary>
    internal static ProblemHttpResult TooManyFailures(HttpContext context, TimeSpan wait)
    {
        var seconds = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.RetryAfter = seconds;
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many failed sign-ins.",
            detail: $"Too many sign-ins of this user, or from this address, failed. Wait {seconds} seconds, as " +
            "Retry-After says, then sign in with the right password, or ask an administrator to set a new one.");
    }

    private static string PlaceholderHash(IPasswordHasher<AgentAccount> hasher) =>
        _placeholderHash ??= hasher.HashPassword(new AgentAccount(0, string.Empty), SecretTokens.Create());

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Information, "User {UserId} of tenant {TenantId} signed in")]
        public static partial void SignedIn(ILogger logger, long tenantId, string userId);

        [LoggerMessage(9002, LogLevel.Information, "User {UserId} of tenant {TenantId} signed out")]
        public static partial void SignedOut(ILogger logger, long tenantId, string userId);

        [LoggerMessage(9003, LogLevel.Warning, "Sign-in of user {UserId} of tenant {TenantId} rejected: {Reason}")]
        public static partial void Rejected(ILogger logger, long tenantId, string userId, string reason);
    }
}
