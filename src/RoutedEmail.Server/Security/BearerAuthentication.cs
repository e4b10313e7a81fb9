using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Security;

/// <summary>The authentication schemes, policies and claims of the service.</summary>
internal static class AuthNames
{
    public const string AdminScheme = "AdminToken";
    public const string AgentScheme = "AgentToken";
    public const string UserScheme = "UserToken";

    /// <summary>
    /// Forwards each request to <see cref="AdminScheme"/> when it carries the operator's admin token, and otherwise
    /// to <see cref="UserScheme"/>, so that exactly one of them reads and challenges it.
    /// </summary>
    public const string AdminOrUserScheme = "AdminOrUserToken";

    public const string AdminPolicy = "Admin";
    public const string AgentPolicy = "Agent";
    public const string UserPolicy = "User";
    public const string TenantIdClaim = "tenant_id";
    public const string AgentIdClaim = "agent_id";
    public const string UserIdClaim = "user_id";

    /// <summary>The role claim of the operator's admin token.</summary>
    public const string OperatorRole = "operator";

    /// <summary>Reads the token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? ReadBearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length
            ? header[prefix.Length..].Trim()
            : null;
    }

    /// <summary>Selects the scheme of <see cref="AdminOrUserScheme"/> for a request.</summary>
    public static string SelectAdminOrUserScheme(HttpContext context) =>
        ReadBearerToken(context.Request) is { } token
        && context.RequestServices.GetRequiredService<AdminToken>().Matches(token)
            ? AdminScheme
            : UserScheme;
}

/// <summary>Answers a missing or invalid token with RFC 9457 problem details instead of an empty 401.</summary>
internal abstract class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The detail of the 401 when the request carries no token for this scheme.</summary>
    protected abstract string MissingTokenDetail { get; }

    /// <summary>The detail of the 401 when this scheme rejected the request's token.</summary>
    protected virtual string RejectedTokenDetail => MissingTokenDetail;

    /// <summary>
    /// Reads the session token of a bearer header or the session cookie. Returns null with the token, or the
    /// result to return at once: no result without a token, and a failure for a cookie request without the
    /// anti-forgery header.
    /// </summary>
    protected AuthenticateResult? ReadSessionToken(out string token)
    {
        token = string.Empty;
        if (SessionTokens.Read(Request) is not var (read, fromCookie))
        {
            return AuthenticateResult.NoResult();
        }

        if (fromCookie && SessionTokens.IsForgeryRisk(Context))
        {
            return AuthenticateResult.Fail("The cookie request lacks the anti-forgery header.");
        }

        token = read;
        return null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // A policy with several schemes challenges each of them, and the first one writes the response.
        if (Response.HasStarted)
        {
            return;
        }

        if (SessionTokens.WasForgeryRisk(Context))
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                title: "The request needs the anti-forgery header.", detail: SessionTokens.CsrfDetail)
                .ExecuteAsync(Context);
            return;
        }

        // The result is the one this request already computed, so the store is not asked again.
        var authentication = await HandleAuthenticateOnceSafeAsync();
        var detail = authentication.Failure is null ? MissingTokenDetail : RejectedTokenDetail;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var problem = TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized, title: "Authentication failed.", detail: detail);
        await problem.ExecuteAsync(Context);
    }
}

/// <summary>Accepts the operator's admin token.</summary>
internal sealed class AdminAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AdminToken adminToken)
    : BearerAuthenticationHandler(options, logger, encoder)
{
    protected override string MissingTokenDetail =>
        "Send the operator's admin token as 'Authorization: Bearer <token>'. Unless Admin:Token is set, the token " +
        "is in the file admin-token in the data directory.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = AuthNames.ReadBearerToken(Request);
        if (token is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // AdminOrUserScheme sends only the admin token here, but another token may reach a direct use of this
        // scheme. No result, unlike a failure, logs nothing and still ends in 401 when no scheme accepts the token.
        if (!adminToken.Matches(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, AuthNames.OperatorRole)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new(identity), Scheme.Name)));
    }
}

/// <summary>
/// Accepts the token of an agent session, from either sign-in route, as a bearer token or as the web session cookie.
/// </summary>
internal sealed class AgentAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IAgentStore agents, AgentActivityRecorder activity)
    : BearerAuthenticationHandler(options, logger, encoder)
{
    protected override string MissingTokenDetail =>
        "Sign in with POST /api/v1/agent/sign-in and send the token as 'Authorization: Bearer <token>'. " +
        "Tokens expire; sign in again after that.";

    protected override string RejectedTokenDetail =>
        "The agent token is not valid: it has expired or was signed out, or the agent was disabled, deleted or " +
        "lost the Agent role. Sign in again with POST /api/v1/agent/sign-in and send the new token as " +
        "'Authorization: Bearer <token>'. Only the token of an agent's sign-in is accepted here, not a " +
        "supervisor's, an administrator's or the operator's admin token.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ReadSessionToken(out var token) is { } early)
        {
            return early;
        }

        var session = await agents.FindSessionAsync(SecretTokens.Hash(token), Context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("The agent token is not valid or has expired.");
        }

        await activity.RecordAsync(session.TenantId, session.AgentId, Context.RequestAborted);
        var identity = new ClaimsIdentity(
            [
                new Claim(AuthNames.TenantIdClaim, session.TenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(AuthNames.AgentIdClaim, session.AgentId),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new(identity), Scheme.Name));
    }
}
