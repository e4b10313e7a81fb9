namespace RoutedEmail.Server.Routing;

/// <summary>
/// Tells connected agent clients that an agent's work or status changed. Callers invoke it only after the change
/// is committed, so a client that reads the agent's work on notice finds the change.
/// </summary>
public interface IAgentNotifier
{
    /// <summary>Notifies the agent's connected clients of a committed change.</summary>
    /// <param name="tenantId">The agent's tenant.</param>
    /// <param name="agentId">The agent whose offers, emails or status changed.</param>
    /// <param name="reason">What changed, such as <c>Offered</c> or <c>OfferExpired</c>, from the event names.</param>
    Task NotifyAsync(long tenantId, string agentId, string reason);
}

/// <summary>The notifier used while no real-time channel is configured: agents read their work by polling.</summary>
internal sealed class NoAgentNotifier : IAgentNotifier
{
    public Task NotifyAsync(long tenantId, string agentId, string reason) => Task.CompletedTask;
}
