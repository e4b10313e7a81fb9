using RoutedEmail.Core.Agents;

namespace RoutedEmail.Web.Services;

/// <summary>A signed-in agent's session, kept in the tab's sessionStorage so a reload keeps it.</summary>
/// <param name="Token">The bearer token of the agent API and the agent hub.</param>
/// <param name="ExpiresAt">When the server stops accepting the token.</param>
/// <param name="CompanyCode">The tenant's company code, shown on the desktop.</param>
/// <param name="Environment">The tenant's environment, shown on the desktop.</param>
/// <param name="AgentId">The agent's id.</param>
public sealed record AgentSession(
    string Token, DateTimeOffset ExpiresAt, string CompanyCode, string Environment, string AgentId);

/// <summary>The response of <c>POST /api/v1/agent/sign-in</c>.</summary>
public sealed record SignInResponse(string Token, DateTimeOffset ExpiresAt, string AgentId);

/// <summary>A snapshot of the agent's work as the hub sends it in the message <c>work</c>.</summary>
/// <param name="Sequence">The agent's push counter on the server node of the connection.</param>
/// <param name="Reason">What caused the snapshot, such as <c>Offered</c> or <c>Connected</c>.</param>
/// <param name="Work">The agent's status, offers and emails.</param>
public sealed record AgentWorkMessage(long Sequence, string Reason, AgentWork Work);

/// <summary>The response of <c>GET /api/v1/agent/desktop</c>: what the desktop shows besides the work.</summary>
public sealed record DesktopContext(
    string AgentId,
    string DisplayName,
    int MaxConcurrentEmails,
    int MaxConcurrentTasks,
    DateTimeOffset? StatusSince,
    IReadOnlyList<DesktopAwayReason> AwayReasons,
    IReadOnlyList<DesktopSkillQueue> SkillQueues,
    IReadOnlyList<DesktopAgent> Agents,
    IReadOnlyDictionary<string, string> ScreenPopUrlTemplates);

/// <summary>An away reason the agent can pick when going Away.</summary>
public sealed record DesktopAwayReason(string Code, string Description);

/// <summary>A skill queue with the work codes its email accepts; empty codes mean any code.</summary>
public sealed record DesktopSkillQueue(string Name, bool WorkCodeRequired, IReadOnlyList<string> WorkCodes);

/// <summary>Another agent of the tenant, a target of a transfer.</summary>
public sealed record DesktopAgent(string AgentId, string DisplayName);

/// <summary>The state of the desktop's link to the agent hub.</summary>
public enum HubLinkState
{
    /// <summary>The first connection is being opened.</summary>
    Connecting,

    /// <summary>The connection is open and pushes arrive.</summary>
    Connected,

    /// <summary>The connection dropped; the desktop retries until it is open again.</summary>
    Reconnecting,
}

/// <summary>A failed request or hub call, with a message for the user.</summary>
public sealed class AgentApiException(
    string message, int? statusCode = null, IReadOnlyDictionary<string, string[]>? errors = null) : Exception(message)
{
    /// <summary>The HTTP status of the failed request; null for a hub error or a network failure.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>
    /// The field errors of a validation problem, keyed by the field the server names, such as
    /// <c>skillQueues[0].rank</c>; empty for other failures.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();
}
