using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>The agent's actions on its offers and emails: accept, decline, complete and end wrap.</summary>
internal static partial class AgentEndpoints
{
    private const string WorkHint = "Read GET /api/v1/agent/work for your offers and emails.";

    private static void MapWorkActions(RouteGroupBuilder agent)
    {
        agent.MapPost("/offers/{offerId:long}/accept", AcceptAsync).WithSummary("Accepts a pending offer.");
        agent.MapPost("/offers/{offerId:long}/decline", DeclineAsync)
            .WithSummary("Declines a pending offer; the email goes back to its queue at its original place.");
        agent.MapPost("/emails/{emailId:long}/complete", CompleteAsync)
            .WithSummary("Completes an active email; it enters Wrap when the wrap time is above zero.");
        agent.MapPost("/emails/{emailId:long}/end-wrap", EndWrapAsync)
            .WithSummary("Ends the wrap time of an email now, so it becomes Completed.");
    }

    private static async Task<Results<Ok<AgentWork>, ProblemHttpResult>> AcceptAsync(
        long offerId, HttpContext context, IAgentStore agents, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(context.User);
        var outcome = await agents.AcceptAsync(tenantId, agentId, offerId, cancellationToken);
        await AfterChangeAsync(context, tenantId, agentId, outcome, offerId: offerId);
        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone =>
                TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken)),
            AgentActionStatus.NotFound => OfferNotFound(offerId, agentId),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The offer is closed.",
                detail: $"Offer {offerId} is {outcome.CurrentState} and can no longer be accepted. {WorkHint}"),
        };
    }

    private static async Task<Results<Ok<AgentWork>, ProblemHttpResult>> DeclineAsync(
        long offerId, HttpContext context, IAgentStore agents, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(context.User);
        var outcome = await agents.DeclineAsync(tenantId, agentId, offerId, cancellationToken);
        await AfterChangeAsync(context, tenantId, agentId, outcome, offerId: offerId);
        return outcome.Status switch
        {
            AgentActionStatus.Done => TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken)),
            AgentActionStatus.NotFound => OfferNotFound(offerId, agentId),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The offer is not pending.",
                detail: $"Offer {offerId} is {outcome.CurrentState}; only a Pending offer can be declined. {WorkHint}"),
        };
    }

    private static async Task<Results<Ok<AgentWork>, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        long emailId, CompleteRequest? request, HttpContext context, IAgentStore agents,
        CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        validation.CheckLength("workCode", request?.WorkCode ?? string.Empty, 0, 64);
        validation.CheckLength("notes", request?.Notes ?? string.Empty, 0, 4000);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var (tenantId, agentId) = ReadAgent(context.User);
        var outcome = await agents.CompleteAsync(
            tenantId, agentId, emailId, request?.WorkCode, request?.Notes, cancellationToken);
        await AfterChangeAsync(context, tenantId, agentId, outcome, emailId: emailId);
        switch (outcome.Status)
        {
            case AgentActionStatus.Done or AgentActionStatus.AlreadyDone:
                return TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken));
            case AgentActionStatus.NotFound:
                return EmailNotFound(emailId, agentId);
            case AgentActionStatus.InvalidWorkCode:
                validation.Add("workCode", DescribeInvalidWorkCode(request?.WorkCode, outcome.AllowedWorkCodes!));
                return (ValidationProblem)validation.ToProblem();
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "The email cannot be completed.",
                    detail: $"Email {emailId} is {outcome.CurrentState}; only an Active email can be completed. " +
                    (outcome.CurrentState == "Offered"
                        ? "Accept its offer first."
                        : $"It is no longer yours to complete. {WorkHint}"));
        }
    }

    private static async Task<Results<Ok<AgentWork>, ProblemHttpResult>> EndWrapAsync(
        long emailId, HttpContext context, IAgentStore agents, CancellationToken cancellationToken)
    {
        var (tenantId, agentId) = ReadAgent(context.User);
        var outcome = await agents.EndWrapAsync(tenantId, agentId, emailId, cancellationToken);
        await AfterChangeAsync(context, tenantId, agentId, outcome, emailId: emailId);
        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone =>
                TypedResults.Ok(await agents.GetWorkAsync(tenantId, agentId, cancellationToken)),
            AgentActionStatus.NotFound => EmailNotFound(emailId, agentId),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The email is not in Wrap.",
                detail: $"Email {emailId} is {outcome.CurrentState}; only an email in Wrap can end its wrap time. " +
                WorkHint),
        };
    }

    /// <summary>
    /// Logs a committed change, notifies the agent's clients, and wakes the router or the deadline service when the
    /// change can make an offer possible or adds a deadline.
    /// </summary>
    private static async Task AfterChangeAsync(
        HttpContext context, long tenantId, string agentId, AgentActionOutcome outcome, long? offerId = null,
        long? emailId = null)
    {
        if (outcome.Event is not { } change)
        {
            return;
        }

        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AgentEndpoints).FullName!);
        Log.Changed(logger, tenantId, agentId, change, offerId, emailId);
        await services.GetRequiredService<IAgentNotifier>().NotifyAsync(tenantId, agentId, change);

        // A decline or expiry puts the email back and frees a slot; a completion frees a slot. A decline also
        // starts a skip period, and a wrap start a wrap deadline, so the deadline service rereads its deadlines.
        if (change is EventTypes.OfferDeclined or EventTypes.OfferExpired or EventTypes.Completed)
        {
            services.GetRequiredService<IRoutingTrigger>().Wake(tenantId);
        }

        if (change is EventTypes.OfferDeclined or EventTypes.WrapStarted)
        {
            services.GetRequiredService<DeadlineSignal>().Notify();
        }
    }

    private static string DescribeInvalidWorkCode(string? workCode, IReadOnlyList<string> allowed)
    {
        var choices = allowed.Count == 0
            ? "Send any code of 1 to 64 characters."
            : $"Choose one of: {string.Join(", ", allowed.Select(code => $"\"{code}\""))}.";
        return string.IsNullOrEmpty(workCode)
            ? $"workCode is missing, and the email's skill queue requires one. {choices}"
            : $"workCode \"{workCode}\" is not in the work code groups of the email's skill queue. {choices}";
    }

    private static ProblemHttpResult OfferNotFound(long offerId, string agentId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The offer does not exist.",
            detail: $"No offer {offerId} was made to agent \"{agentId}\". {WorkHint}");

    private static ProblemHttpResult EmailNotFound(long emailId, string agentId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "The email does not exist.",
            detail: $"Agent \"{agentId}\" holds no email {emailId}. {WorkHint}");

    private static partial class Log
    {
        [LoggerMessage(6003, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} changed offer {OfferId} or email {EmailId}: {Event}")]
        public static partial void Changed(
            ILogger logger, long tenantId, string agentId, string @event, long? offerId, long? emailId);
    }
}
