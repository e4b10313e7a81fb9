using RoutedEmail.Core;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Agents;

/// <summary>An agent, identified by its tenant and agent id.</summary>
internal readonly record struct AgentKey(long TenantId, string AgentId)
{
    /// <summary>The SignalR group of the agent's hub connections. The tenant id has no colon, so names cannot clash.</summary>
    public string GroupName => $"agent:{TenantId}:{AgentId}";
}

/// <summary>Why an agent's action was not carried out.</summary>
internal enum AgentActionFailureKind
{
    /// <summary>The offer or email is not this agent's.</summary>
    NotFound,

    /// <summary>The offer or email is in a state that does not allow the action.</summary>
    Conflict,

    /// <summary>A value of the request breaks a rule; <see cref="AgentActionFailure.Field"/> names it.</summary>
    Invalid,
}

/// <summary>A rejected agent action, with the texts that the REST API and the hub both return.</summary>
/// <param name="Kind">Why the action was rejected.</param>
/// <param name="Title">A short summary, the problem title in REST.</param>
/// <param name="Detail">The value, the rule and the fix.</param>
/// <param name="Field">The invalid request field, for <see cref="AgentActionFailureKind.Invalid"/>.</param>
internal sealed record AgentActionFailure(AgentActionFailureKind Kind, string Title, string Detail, string? Field = null);

/// <summary>
/// The agent's actions, shared by the REST agent API and the agent hub so that both apply the same rules. Each action
/// calls the store, and after a committed change it logs, notifies the agent's clients and wakes what the change
/// needs. Each method returns null on success.
/// </summary>
internal sealed partial class AgentActions(
    IAgentStore agents, IAwayReasonStore awayReasons, IRoutingTrigger router, DeadlineSignal deadlines,
    IAgentNotifier notifier, ILogger<AgentActions> logger)
{
    private const int MaxOtherWork = 100;

    private const string WorkHint = "Read GET /api/v1/agent/work for your offers and emails.";

    private static readonly AgentStatus[] ChoosableStatuses =
        [AgentStatus.Available, AgentStatus.Away, AgentStatus.Offline];

    /// <summary>Sets the agent's status without an away reason.</summary>
    public Task<AgentActionFailure?> SetStatusAsync(AgentKey agent, string? status, CancellationToken cancellationToken) =>
        SetStatusAsync(agent, status, null, cancellationToken);

    /// <summary>
    /// Sets the agent's status. Only Away takes a reason, which must be one of the tenant's away reason codes, and
    /// while the tenant has any, Away requires one. A supervisor who sets it is recorded with the change.
    /// </summary>
    public async Task<AgentActionFailure?> SetStatusAsync(
        AgentKey agent, string? status, string? reason, CancellationToken cancellationToken,
        string? supervisor = null)
    {
        var chosen = ChoosableStatuses.FirstOrDefault(candidate => candidate.ToString() == status, AgentStatus.Missed);
        if (chosen == AgentStatus.Missed)
        {
            return Invalid("status", DescribeInvalidStatus(status));
        }

        if (reason is not null && chosen != AgentStatus.Away)
        {
            return Invalid("reason", $"reason \"{reason}\" was sent with status {chosen}; only Away takes a " +
                "reason. Leave reason out, or send status Away.");
        }

        if (chosen == AgentStatus.Away && await CheckAwayReasonAsync(agent, reason, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var withdrawn = await agents.SetStatusAsync(
            agent.TenantId, agent.AgentId, chosen, cancellationToken, reason, supervisor);
        if (reason is null)
        {
            Log.StatusChanged(logger, agent.TenantId, agent.AgentId, chosen, withdrawn);
        }
        else
        {
            Log.AwayWithReason(logger, agent.TenantId, agent.AgentId, reason, withdrawn);
        }

        // Every status change wakes the router: Available can make offers, withdrawn offers go back to their queue,
        // and going Offline can leave a queue unattended.
        router.Wake(agent.TenantId);

        await notifier.NotifyAsync(agent.TenantId, agent.AgentId, EventTypes.AgentStatusChanged);
        return null;
    }

    /// <summary>Stores the agent's count of tasks on other channels, 0 to 100.</summary>
    public async Task<AgentActionFailure?> SetOtherWorkAsync(AgentKey agent, int? count, CancellationToken cancellationToken)
    {
        if (count is not (>= 0 and <= MaxOtherWork))
        {
            return Invalid("count", count is null
                ? $"count is missing. Send the agent's tasks on other channels, 0 to {MaxOtherWork}."
                : $"count is {count}; it must be 0 to {MaxOtherWork}.");
        }

        if (!await agents.SetOtherWorkAsync(agent.TenantId, agent.AgentId, count.Value, cancellationToken))
        {
            return null;
        }

        Log.OtherWorkChanged(logger, agent.TenantId, agent.AgentId, count.Value);

        // A lower count can free a slot; a higher one withdraws nothing, so waking the router is harmless.
        router.Wake(agent.TenantId);
        await notifier.NotifyAsync(agent.TenantId, agent.AgentId, EventTypes.OtherWorkChanged);
        return null;
    }

    public async Task<AgentActionFailure?> AcceptAsync(AgentKey agent, long offerId, CancellationToken cancellationToken)
    {
        var outcome = await agents.AcceptAsync(agent.TenantId, agent.AgentId, offerId, cancellationToken);
        await AfterOfferChangeAsync(agent, outcome, offerId);
        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone => null,
            AgentActionStatus.NotFound => OfferNotFound(agent, offerId),
            _ => Conflict("The offer is closed.",
                $"Offer {offerId} is {outcome.CurrentState} and can no longer be accepted. {WorkHint}"),
        };
    }

    public async Task<AgentActionFailure?> DeclineAsync(AgentKey agent, long offerId, CancellationToken cancellationToken)
    {
        var outcome = await agents.DeclineAsync(agent.TenantId, agent.AgentId, offerId, cancellationToken);
        await AfterOfferChangeAsync(agent, outcome, offerId);
        return outcome.Status switch
        {
            AgentActionStatus.Done => null,
            AgentActionStatus.NotFound => OfferNotFound(agent, offerId),
            _ => Conflict("The offer is not pending.",
                $"Offer {offerId} is {outcome.CurrentState}; only a Pending offer can be declined. {WorkHint}"),
        };
    }

    public async Task<AgentActionFailure?> CompleteAsync(
        AgentKey agent, long emailId, string? workCode, string? notes, CancellationToken cancellationToken)
    {
        if ((CheckLength("workCode", workCode, 64) ?? CheckLength("notes", notes, 4000)) is { } tooLong)
        {
            return tooLong;
        }

        var outcome = await agents.CompleteAsync(
            agent.TenantId, agent.AgentId, emailId, workCode, notes, cancellationToken);
        await AfterEmailChangeAsync(agent, outcome, emailId);
        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone => null,
            AgentActionStatus.NotFound => EmailNotFound(agent, emailId),
            AgentActionStatus.InvalidWorkCode =>
                Invalid("workCode", DescribeInvalidWorkCode(workCode, outcome.AllowedWorkCodes ?? [])),
            _ => Conflict("The email cannot be completed.",
                $"Email {emailId} is {outcome.CurrentState}; only an Active email can be completed. " +
                (outcome.CurrentState == "Offered"
                    ? "Accept its offer first."
                    : $"It is no longer yours to complete. {WorkHint}")),
        };
    }

    public async Task<AgentActionFailure?> EndWrapAsync(AgentKey agent, long emailId, CancellationToken cancellationToken)
    {
        var outcome = await agents.EndWrapAsync(agent.TenantId, agent.AgentId, emailId, cancellationToken);
        await AfterEmailChangeAsync(agent, outcome, emailId);
        return outcome.Status switch
        {
            AgentActionStatus.Done or AgentActionStatus.AlreadyDone => null,
            AgentActionStatus.NotFound => EmailNotFound(agent, emailId),
            _ => Conflict("The email is not in Wrap.",
                $"Email {emailId} is {outcome.CurrentState}; only an email in Wrap can end its wrap time. {WorkHint}"),
        };
    }

    /// <summary>
    /// Transfers the agent's Active email to a skill queue or another agent. A supervisor who transfers it is
    /// recorded with the change.
    /// </summary>
    public async Task<AgentActionFailure?> TransferAsync(
        AgentKey agent, long emailId, string? skillQueue, string? targetAgentId, CancellationToken cancellationToken,
        string? supervisor = null)
    {
        if ((skillQueue is null) == (targetAgentId is null))
        {
            return Invalid("skillQueue", skillQueue is null
                ? "skillQueue and agentId are both missing. Send skillQueue to queue the email there, or agentId " +
                    "to offer it to that agent."
                : "skillQueue and agentId are both set. Send only one of them.");
        }

        var outcome = await agents.TransferAsync(
            agent.TenantId, agent.AgentId, emailId, skillQueue, targetAgentId, cancellationToken, supervisor);
        await AfterEmailChangeAsync(agent, outcome, emailId);
        if (outcome.OfferedTo is { } target)
        {
            Log.TransferOffered(logger, agent.TenantId, agent.AgentId, emailId, target);
            await notifier.NotifyAsync(agent.TenantId, target, EventTypes.Offered);
        }

        return outcome.Status switch
        {
            AgentActionStatus.Done => null,
            AgentActionStatus.NotFound => EmailNotFound(agent, emailId),
            AgentActionStatus.UnknownSkillQueue => Invalid("skillQueue",
                $"skillQueue \"{skillQueue}\" does not exist. Send the name of one of the tenant's skill queues."),
            AgentActionStatus.UnknownAgent => Invalid("agentId", targetAgentId == agent.AgentId
                ? $"agentId \"{targetAgentId}\" is you. Send the id of another agent of the tenant."
                : $"agentId \"{targetAgentId}\" does not exist. Send the id of another agent of the tenant."),
            AgentActionStatus.AgentUnavailable => Conflict("The agent cannot take the email now.",
                outcome.CurrentState == "AtMaximum"
                    ? $"Agent \"{targetAgentId}\" is at its maximum of concurrent emails or tasks. " +
                        "Try again later, or transfer the email to a skill queue."
                    : $"Agent \"{targetAgentId}\" is {outcome.CurrentState}; only an Available agent can take a " +
                        "transfer. Try again later, or transfer the email to a skill queue."),
            _ => Conflict("The email cannot be transferred.",
                $"Email {emailId} is {outcome.CurrentState}; only an Active email can be transferred. " +
                (outcome.CurrentState == "Offered" ? "Accept its offer first." : WorkHint)),
        };
    }

    private async Task AfterOfferChangeAsync(AgentKey agent, AgentActionOutcome outcome, long offerId)
    {
        if (outcome.Event is { } change)
        {
            Log.OfferChanged(logger, agent.TenantId, agent.AgentId, offerId, change);
            await AfterChangeAsync(agent, outcome, change);
        }
    }

    private async Task AfterEmailChangeAsync(AgentKey agent, AgentActionOutcome outcome, long emailId)
    {
        if (outcome.Event is { } change)
        {
            Log.EmailChanged(logger, agent.TenantId, agent.AgentId, emailId, change);
            await AfterChangeAsync(agent, outcome, change);
        }
    }

    /// <summary>
    /// Notifies the agent's clients of a committed change, and wakes the router or the deadline service when the
    /// change can make an offer possible or adds a deadline.
    /// </summary>
    private async Task AfterChangeAsync(AgentKey agent, AgentActionOutcome outcome, string change)
    {
        await notifier.NotifyAsync(agent.TenantId, agent.AgentId, change);

        // A decline, expiry, transfer or completion puts an email back or frees a slot, so the router runs. New
        // deadlines come from a decline (skip period), a wrap start and a transfer to an agent (offer expiry), so
        // the deadline service rereads its deadlines after those.
        if (change is EventTypes.OfferDeclined or EventTypes.OfferExpired or EventTypes.Completed
            or EventTypes.Transferred)
        {
            router.Wake(agent.TenantId);
        }

        if (change is EventTypes.OfferDeclined or EventTypes.WrapStarted || outcome.OfferedTo is not null)
        {
            deadlines.Notify();
        }
    }

    /// <summary>Checks an away reason against the tenant's codes, which compare case-sensitively.</summary>
    private async Task<AgentActionFailure?> CheckAwayReasonAsync(
        AgentKey agent, string? reason, CancellationToken cancellationToken)
    {
        // A disabled reason can no longer be chosen, and counts as none when it was the tenant's only one.
        var reasons = (await awayReasons.ListAwayReasonsAsync(agent.TenantId, cancellationToken))
            .Where(candidate => candidate.Enabled).ToList();
        if (reasons.Any(candidate => candidate.Code == reason) || (reason is null && reasons.Count == 0))
        {
            return null;
        }

        var choices = string.Join(", ", reasons.Select(candidate => $"\"{candidate.Code}\""));
        return Invalid("reason", (reason, reasons.Count) switch
        {
            (null, _) => $"reason is missing, and this tenant requires one for Away. Choose one of: {choices}.",
            (_, 0) => $"reason \"{reason}\" is not an away reason of this tenant, which has none. Leave reason out.",
            _ => $"reason \"{reason}\" is not an away reason of this tenant. Choose one of: {choices}.",
        });
    }

    /// <summary>Checks an optional text against a maximum in Unicode characters.</summary>
    private static AgentActionFailure? CheckLength(string field, string? value, int maximum)
    {
        var length = UnicodeText.CountCharacters(value ?? string.Empty);
        return length > maximum
            ? Invalid(field, $"{field} is {length} characters long; it must have 0 to {maximum}.")
            : null;
    }

    private static AgentActionFailure Invalid(string field, string detail) =>
        new(AgentActionFailureKind.Invalid, "The request is invalid.", detail, field);

    private static AgentActionFailure Conflict(string title, string detail) =>
        new(AgentActionFailureKind.Conflict, title, detail);

    private static string DescribeInvalidStatus(string? status)
    {
        const string Choices = "Send \"Available\", \"Away\" or \"Offline\", which are case-sensitive.";
        if (status is null)
        {
            return $"status is missing. {Choices}";
        }

        if (status == nameof(AgentStatus.Missed))
        {
            return $"status \"Missed\" cannot be chosen. The service sets it when an offer expires. {Choices}";
        }

        var differentCase = ChoosableStatuses.Select(candidate => candidate.ToString())
            .FirstOrDefault(name => string.Equals(name, status, StringComparison.OrdinalIgnoreCase));
        return differentCase is null
            ? $"status \"{status}\" is invalid. {Choices}"
            : $"status \"{status}\" is invalid, because status is case-sensitive. Send \"{differentCase}\". An " +
                "agent can choose \"Available\", \"Away\" or \"Offline\".";
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

    private static AgentActionFailure OfferNotFound(AgentKey agent, long offerId) =>
        new(AgentActionFailureKind.NotFound, "The offer does not exist.",
            $"No offer {offerId} was made to agent \"{agent.AgentId}\". {WorkHint}");

    private static AgentActionFailure EmailNotFound(AgentKey agent, long emailId) =>
        new(AgentActionFailureKind.NotFound, "The email does not exist.",
            $"Agent \"{agent.AgentId}\" holds no email {emailId}. {WorkHint}");

    private static partial class Log
    {
        [LoggerMessage(6002, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} is now {Status}; pending offers put back in their queues: " +
            "{Withdrawn}")]
        public static partial void StatusChanged(
            ILogger logger, long tenantId, string agentId, AgentStatus status, int withdrawn);

        [LoggerMessage(6006, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} is now Away with away reason {AwayReason}; pending offers put " +
            "back in their queues: {Withdrawn}")]
        public static partial void AwayWithReason(
            ILogger logger, long tenantId, string agentId, string awayReason, int withdrawn);

        [LoggerMessage(6003, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} changed offer {OfferId}, recorded as event {Event}")]
        public static partial void OfferChanged(
            ILogger logger, long tenantId, string agentId, long offerId, string @event);

        [LoggerMessage(6007, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} changed email {EmailId}, recorded as event {Event}")]
        public static partial void EmailChanged(
            ILogger logger, long tenantId, string agentId, long emailId, string @event);

        [LoggerMessage(6005, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} now has {Count} tasks on other channels")]
        public static partial void OtherWorkChanged(ILogger logger, long tenantId, string agentId, int count);

        [LoggerMessage(6004, LogLevel.Information,
            "Agent {AgentId} of tenant {TenantId} transferred email {EmailId} to agent {TargetAgentId} as a new offer")]
        public static partial void TransferOffered(
            ILogger logger, long tenantId, string agentId, long emailId, string targetAgentId);
    }
}
