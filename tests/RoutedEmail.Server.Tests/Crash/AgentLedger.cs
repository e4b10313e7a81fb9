using System.Collections.Concurrent;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// The agent actions of the crash loop. An accept or complete can trigger a kill, and the audit checks all three.
/// </summary>
internal enum AgentAction
{
    /// <summary>The accept of an offer.</summary>
    Accept,

    /// <summary>The decline of an offer.</summary>
    Decline,

    /// <summary>The complete of an Active email with a work code.</summary>
    Complete,
}

/// <summary>How an agent of the crash loop sends its actions.</summary>
internal enum AgentChannel
{
    /// <summary>Requests to the REST agent API.</summary>
    Rest,

    /// <summary>Method calls on the agent hub, as the agent desktop makes while its hub connection is open.</summary>
    Hub,
}

/// <summary>An agent action that returned success, so the database must show its result.</summary>
/// <param name="Action">The action.</param>
/// <param name="Channel">How it was sent.</param>
/// <param name="AgentId">The agent that sent it.</param>
/// <param name="Id">The offer id of an accept or decline, or the email id of a complete.</param>
/// <param name="WorkCode">The work code of a complete; null for the other actions.</param>
internal sealed record AcknowledgedAction(
    AgentAction Action, AgentChannel Channel, string AgentId, long Id, string? WorkCode = null);

/// <summary>The agent actions of the whole crash loop that returned success, from every agent and cycle.</summary>
internal sealed class AgentLedger
{
    private readonly ConcurrentQueue<AcknowledgedAction> _actions = new();

    /// <summary>Every acknowledged action so far, in the order they were recorded.</summary>
    public IReadOnlyCollection<AcknowledgedAction> Actions => _actions;

    /// <summary>Records an action whose response or hub result was a success.</summary>
    public void Record(AcknowledgedAction action) => _actions.Enqueue(action);

    /// <summary>Returns the number of acknowledged actions of one kind sent through one channel.</summary>
    public int Count(AgentAction action, AgentChannel channel) =>
        _actions.Count(entry => entry.Action == action && entry.Channel == channel);
}
