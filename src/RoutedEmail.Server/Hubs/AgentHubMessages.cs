using RoutedEmail.Core.Agents;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// A snapshot of an agent's committed work, as pushed in the hub message <c>work</c> and returned by the hub methods.
/// </summary>
/// <param name="Sequence">
/// The agent's push counter on this node. Each push adds one; a returned snapshot carries the counter of the last
/// push, and is at least as new as it.
/// </param>
/// <param name="Reason">What caused the snapshot, such as <c>Offered</c>, <c>Connected</c> or <c>GetWork</c>.</param>
/// <param name="Work">The same JSON as <c>GET /api/v1/agent/work</c>.</param>
internal sealed record AgentWorkMessage(long Sequence, string Reason, AgentWork Work);

/// <summary>Names of the agent hub's contract: its version, messages and snapshot reasons.</summary>
internal static class AgentHubProtocol
{
    /// <summary>The version of the hub contract, raised on any change an existing client would notice.</summary>
    public const int Version = 1;

    /// <summary>The path the hub is mapped at.</summary>
    public const string Path = "/hubs/agent";

    /// <summary>The message that carries an <see cref="AgentWorkMessage"/>.</summary>
    public const string WorkMessage = "work";

    /// <summary>The reason of the snapshot sent to a connection as soon as it opens.</summary>
    public const string ConnectedReason = "Connected";

    /// <summary>The reason of the snapshot returned by <c>GetWork</c>.</summary>
    public const string GetWorkReason = "GetWork";
}

/// <summary>Settings of the agent hub, bound from the <c>AgentHub</c> configuration section.</summary>
public sealed class AgentHubOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "AgentHub";

    /// <summary>
    /// Origins, such as <c>https://desktop.example.com</c>, whose browser pages may connect to the hub. Default:
    /// empty, so only pages served by this service may connect.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];
}
