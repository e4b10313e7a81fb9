using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Users;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>The agent API: sign-in, status and work. The actions on offers and emails are in AgentWorkEndpoints.cs.</summary>
internal static partial class AgentEndpoints
{
    private static string? _placeholderHash;

    public static void MapAgentApi(this IEndpointRouteBuilder endpoints)
    {
        var open = endpoints.MapGroup("/api/v1/agent").WithTags("Agent");
        open.MapPost("/sign-in", SignInAsync).WithSummary("Checks an agent's password and returns a bearer token.");

        var agent = endpoints.MapGroup("/api/v1/agent").WithTags("Agent").RequireAuthorization(AuthNames.AgentPolicy);
        agent.MapPost("/sign-out", SignOutAsync)
            .WithSummary("Sets the agent Offline and ends the session, so its token stops working.");
        agent.MapPut("/status", SetStatusAsync).WithSummary("Sets the agent's status: Available, Away or Offline.");
        agent.MapPut("/other-work", SetOtherWorkAsync)
            .WithSummary("Sets the agent's count of tasks on other channels, which counts against maxConcurrentTasks.");
        agent.MapGet("/work", GetWorkAsync).WithSummary("Reads the agent's status, pending offers and emails.");
        MapWorkActions(agent);
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, HttpContext context, ITenantStore tenants, IAgentStore agents,
        IPasswordHasher<AgentAccount> hasher, SignInFailureLimiter limiter, TimeProvider time,
        IOptions<AgentOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var invalid = TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed.",
            detail: "The company code, environment, agent id or password is not valid. Check them and try again.");
        if (request.CompanyCode is null || request.Environment is null || request.AgentId is null
            || request.Password is null)
        {
            return invalid;
        }

        var tenant = await tenants.FindTenantAsync(request.CompanyCode, request.Environment, cancellationToken);
        var client = context.Connection.RemoteIpAddress;
        if (limiter.CheckBlocked(tenant?.Id ?? 0, request.AgentId, client) is { } wait)
        {
            return SignInEndpoints.TooManyFailures(context, wait);
        }

        var hash = tenant is null ? null : await agents.FindPasswordHashAsync(tenant.Id, request.AgentId, cancellationToken);
        var account = new AgentAccount(tenant?.Id ?? 0, request.AgentId);

        // An unknown agent is checked against a placeholder hash, so the response time does not reveal which
        // agent ids exist.
        var verified = hasher.VerifyHashedPassword(account, hash ?? PlaceholderHash(hasher), request.Password);
        if (tenant is null || hash is null || verified == PasswordVerificationResult.Failed)
        {
            limiter.RecordFailure(tenant?.Id ?? 0, request.AgentId, client);
            return invalid;
        }

        limiter.RecordSuccess(tenant.Id, request.AgentId);
        var token = SecretTokens.Create();
        var expiresAt = time.GetUtcNow() + options.Value.SessionLifetime;
        await agents.CreateSessionAsync(tenant.Id, request.AgentId, SecretTokens.Hash(token), expiresAt, cancellationToken);
        Log.SignedIn(loggers.CreateLogger(typeof(AgentEndpoints).FullName!), tenant.Id, request.AgentId);
        return TypedResults.Ok(new SignInResponse(token, expiresAt, request.AgentId));
    }

    private static async Task<NoContent> SignOutAsync(
        HttpRequest request, ClaimsPrincipal user, IAgentStore agents, IRoutingTrigger router,
        IAgentNotifier notifier, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(user);
        // The router runs even when no offer was withdrawn, because the agent's queues may now be unattended.
        await agents.SetStatusAsync(tenantId, agentId, AgentStatus.Offline, cancellationToken);
        router.Wake(tenantId);

        await agents.EndSessionAsync(SecretTokens.Hash(SessionTokens.Read(request)!.Value.Token), cancellationToken);
        await notifier.NotifyAsync(tenantId, agentId, EventTypes.AgentStatusChanged);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> SetStatusAsync(
        StatusRequest request, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        var failure = await actions.SetStatusAsync(agent, request.Status, request.Reason, cancellationToken);
        return await RespondAsync(agent, failure, agents, cancellationToken);
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> SetOtherWorkAsync(
        OtherWorkRequest request, ClaimsPrincipal user, AgentActions actions, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var agent = ReadAgentKey(user);
        return await RespondAsync(agent, await actions.SetOtherWorkAsync(agent, request.Count, cancellationToken),
            agents, cancellationToken);
    }

    private static async Task<Ok<AgentWork>> GetWorkAsync(
        ClaimsPrincipal user, IAgentStore agents, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(user);
        return TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken));
    }

    private static string PlaceholderHash(IPasswordHasher<AgentAccount> hasher) =>
        _placeholderHash ??= hasher.HashPassword(new AgentAccount(0, string.Empty), SecretTokens.Create());

    private static AgentKey ReadAgentKey(ClaimsPrincipal user)
    {
        var (tenantId, agentId) = ReadAgent(user);
        return new AgentKey(tenantId, agentId);
    }

    private static (long TenantId, string AgentId) ReadAgent(ClaimsPrincipal user) =>
        (long.Parse(user.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture),
            user.FindFirstValue(AuthNames.AgentIdClaim)!);

    private static partial class Log
    {
        [LoggerMessage(6001, LogLevel.Information, "Agent {AgentId} of tenant {TenantId} signed in")]
        public static partial void SignedIn(ILogger logger, long tenantId, string agentId);
    }
}
