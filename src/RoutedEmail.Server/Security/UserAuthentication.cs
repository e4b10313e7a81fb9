using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>
/// Accepts the token of a user session from <c>POST /api/v1/sign-in</c> (or an agent's sign-in), as a bearer token
/// or as the web session cookie. The principal gets the tenant, the user id and one role claim per role.
/// </summary>
internal sealed class UserAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IUserStore users)
    : BearerAuthenticationHandler(options, logger, encoder)
{
    protected override string MissingTokenDetail =>
        "Send the operator's admin token, or sign in with POST /api/v1/sign-in and send the token as " +
        "'Authorization: Bearer <token>' or the session cookie. Tokens expire; sign in again after that.";

    // A wrong admin token cannot be distinguished from an unknown session token, so the detail covers both.
    protected override string RejectedTokenDetail =>
        "The session token is not valid: it has expired or was signed out, or its user was disabled or deleted. " +
        "Sign in again with POST /api/v1/sign-in and send the new token as 'Authorization: Bearer <token>' or the " +
        "session cookie. If you sent the operator's admin token, it does not match Admin:Token or the file " +
        "admin-token in the data directory.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ReadSessionToken(out var token) is { } early)
        {
            return early;
        }

        var session = await users.FindSessionAsync(SecretTokens.Hash(token), Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("The token is not valid or has expired.");
        }

        var claims = new List<Claim>
        {
            new(AuthNames.TenantIdClaim, session.TenantId.ToString(CultureInfo.InvariantCulture)),
            new(AuthNames.UserIdClaim, session.UserId),
        };
        claims.AddRange(session.Roles.Select(role => new Claim(ClaimTypes.Role, role.ToString())));
        var identity = new ClaimsIdentity(claims, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new(identity), Scheme.Name));
    }
}
