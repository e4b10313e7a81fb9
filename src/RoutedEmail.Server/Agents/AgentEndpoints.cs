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
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>The agent API: sign-in, status, work, accept and complete.</summary>
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
        agent.MapGet("/work", GetWorkAsync).WithSummary("Reads the agent's status, pending offers and emails.");
        agent.MapPost("/offers/{offerId:long}/accept", AcceptAsync).WithSummary("Accepts a pending offer.");
        agent.MapPost("/emails/{emailId:long}/complete", CompleteAsync).WithSummary("Completes an active email.");
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInAsync(
        SignInRequest request, ITenantStore tenants, IAgentStore agents, IPasswordHasher<AgentAccount> hasher,
        TimeProvider time, IOptions<AgentOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var invalid = TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed.",
            detail: "The company code, environment, agent id or password is not valid. Check them and try again.");
        if (request.CompanyCode is null || request.Environment is null || request.AgentId is null
            || request.Password is null)
        {
            return invalid;
        }

        var tenant = await tenants.FindTenantAsync(request.CompanyCode, request.Environment, cancellationToken);
        var hash = tenant is null ? null : await agents.FindPasswordHashAsync(tenant.Id, request.AgentId, cancellationToken);
        var account = new AgentAccount(tenant?.Id ?? 0, request.AgentId);

        // An unknown agent is checked against a placeholder hash, so the response time does not reveal which
        // agent ids exist.
        var verified = hasher.VerifyHashedPassword(account, hash ?? PlaceholderHash(hasher), request.Password);
        if (tenant is null || hash is null || verified == PasswordVerificationResult.Failed)
        {
            return invalid;
        }

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
        if (await agents.SetStatusAsync(tenantId, agentId, AgentStatus.Offline, cancellationToken) > 0)
        {
            router.Wake(tenantId);
        }

        await agents.EndSessionAsync(SecretTokens.Hash(AuthNames.ReadBearerToken(request)!), cancellationToken);
        await notifier.NotifyAsync(tenantId, agentId, EventTypes.AgentStatusChanged);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem>> SetStatusAsync(
        StatusRequest request, ClaimsPrincipal user, IAgentStore agents, IRoutingTrigger router,
        IAgentNotifier notifier, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        AgentStatus[] choosable = [AgentStatus.Available, AgentStatus.Away, AgentStatus.Offline];
        var status = choosable.FirstOrDefault(candidate => candidate.ToString() == request.Status, AgentStatus.Missed);
        if (status == AgentStatus.Missed)
        {
            validation.Add("status", $"status \"{request.Status}\" cannot be chosen. Choose Available, Away or " +
                "Offline; Missed is set by the service when an offer expires.");
            return (ValidationProblem)validation.ToProblem();
        }

        var (tenantId, agentId) = ReadAgent(user);
        var withdrawn = await agents.SetStatusAsync(tenantId, agentId, status, cancellationToken);
        Log.StatusChanged(loggers.CreateLogger(typeof(AgentEndpoints).FullName!), tenantId, agentId, status, withdrawn);
        if (status == AgentStatus.Available || withdrawn > 0)
        {
            router.Wake(tenantId);
        }

        await notifier.NotifyAsync(tenantId, agentId, EventTypes.AgentStatusChanged);
        return TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken));
    }

    private static async Task<Ok<AgentWork>> GetWorkAsync(
        ClaimsPrincipal user, IAgentStore agents, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(user);
        return TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken));
    }

    private static async Task<Results<Ok<AgentWork>, ProblemHttpResult>> AcceptAsync(
        long offerId, ClaimsPrincipal user, IAgentStore agents, IRoutingTrigger router, IAgentNotifier notifier,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(user);
        var outcome = await agents.AcceptAsync(tenantId, agentId, offerId, cancellationToken);
        if (outcome.Status == AgentActionStatus.Done)
        {
            Log.Accepted(loggers.CreateLogger(typeof(AgentEndpoints).FullName!), tenantId, agentId, offerId);
            await notifier.NotifyAsync(tenantId, agentId, EventTypes.Accepted);
        }

        // An accept that finds its offer overdue expires it, which puts the email back in its queue.
        if (outcome.CurrentState == "Expired")
        {
            await notifier.NotifyAsync(tenantId, agentId, EventTypes.OfferExpired);
            router.Wake(tenantId);
        }

        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone =>
                TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken)),
            AgentActionStatus.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                title: "The offer does not exist.",
                detail: $"No offer {offerId} was made to agent \"{agentId}\". Read GET /api/v1/agent/work for your offers."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The offer is closed.",
                detail: $"Offer {offerId} is {outcome.CurrentState} and can no longer be accepted. " +
                "Read GET /api/v1/agent/work for your current offers."),
        };
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        long emailId, CompleteRequest? request, ClaimsPrincipal user, IAgentStore agents, IRoutingTrigger router,
        IAgentNotifier notifier, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        validation.CheckLength("workCode", request?.WorkCode ?? string.Empty, 0, 64);
        validation.CheckLength("notes", request?.Notes ?? string.Empty, 0, 4000);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var (tenantId, agentId) = ReadAgent(user);
        var outcome = await agents.CompleteAsync(
            tenantId, agentId, emailId, request?.WorkCode, request?.Notes, cancellationToken);
        if (outcome.Status == AgentActionStatus.Done)
        {
            Log.Completed(loggers.CreateLogger(typeof(AgentEndpoints).FullName!), tenantId, agentId, emailId);
            await notifier.NotifyAsync(tenantId, agentId, EventTypes.Completed);
            router.Wake(tenantId);
        }

        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone =>
                TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken)),
            AgentActionStatus.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                title: "The email does not exist.",
                detail: $"Agent \"{agentId}\" holds no email {emailId}. Read GET /api/v1/agent/work for your emails."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The email cannot be completed.",
                detail: $"Email {emailId} is {outcome.CurrentState}; only an Active email can be completed. " +
                (outcome.CurrentState == "Offered"
                    ? "Accept its offer first."
                    : "It is closed, so there is nothing to complete; read GET /api/v1/agent/work for your emails.")),
        };
    }

    private static string PlaceholderHash(IPasswordHasher<AgentAccount> hasher) =>
        _placeholderHash ??= hasher.HashPassword(new AgentAccount(0, string.Empty), SecretTokens.Create());

    private static (long TenantId, string AgentId) ReadAgent(ClaimsPrincipal user) =>
        (long.Parse(user.FindFirstValue(AuthNames.TenantIdClaim)!, CultureInfo.InvariantCulture),
            user.FindFirstValue(AuthNames.AgentIdClaim)!);

    private static partial class Log
    {
        [LoggerMessage(6001, LogLevel.Information, "Agent {AgentId} of tenant {TenantId} signed in")]
        public static partial void SignedIn(ILogger logger, long tenantId, string agentId);

        [LoggerMessage(6002, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} is now {Status}; {Withdrawn} pending offers went back to their queues")]
        public static partial void StatusChanged(
            ILogger logger, long tenantId, string agentId, AgentStatus status, int withdrawn);

        [LoggerMessage(6003, LogLevel.Information, "Agent {AgentId} of tenant {TenantId} accepted offer {OfferId}")]
        public static partial void Accepted(ILogger logger, long tenantId, string agentId, long offerId);

        [LoggerMessage(6004, LogLevel.Information, "Agent {AgentId} of tenant {TenantId} completed email {EmailId}")]
        public static partial void Completed(ILogger logger, long tenantId, string agentId, long emailId);
    }
}
