using RoutedEmail.Core.Explanations;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Reads the routing inputs that explain where a routed email is and why.</summary>
public interface IExplanationStore
{
    /// <summary>
    /// Explains the newest routed email of an entity id, or returns null when the tenant has none.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="entityId">The client's entity id.</param>
    /// <param name="declineSkip">The skip period after a decline or expiry, as the router applies it.</param>
    /// <param name="cancellationToken">Cancels the read before it starts.</param>
    Task<EmailExplanation?> ExplainAsync(
        long tenantId, string entityId, TimeSpan declineSkip, CancellationToken cancellationToken);
}
