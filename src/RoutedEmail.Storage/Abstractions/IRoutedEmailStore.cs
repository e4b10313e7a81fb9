using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>Integrator look-ups and cancels of routed email.</summary>
public interface IRoutedEmailStore
{
    /// <summary>Finds the newest email of an entity id, with its history.</summary>
    Task<RoutedEmailDetails?> FindByEntityIdAsync(long tenantId, string entityId, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the newest email of an entity id in any open state, withdrawing a pending offer and releasing the
    /// agent. Cancelling a cancelled email changes nothing.
    /// </summary>
    /// <param name="tenantId">The email's tenant.</param>
    /// <param name="entityId">The entity id of the email.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="supervisor">
    /// The user who cancels it from the supervisor API, recorded in a <c>SupervisorAction</c> event in the same
    /// transaction; null for the integrator's cancel.
    /// </param>
    Task<CancelOutcome> CancelAsync(
        long tenantId, string entityId, CancellationToken cancellationToken, string? supervisor = null);
}

/// <summary>The outcome of a cancel.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Email">The email after the cancel, or null when none was found.</param>
/// <param name="ReleasedAgentId">The agent whose capacity the cancel freed, or null.</param>
public sealed record CancelOutcome(CancelStatus Status, RoutedEmailDetails? Email, string? ReleasedAgentId);

/// <summary>What a cancel did.</summary>
public enum CancelStatus
{
    /// <summary>The email was open and is now cancelled.</summary>
    Canceled,

    /// <summary>The email was already cancelled.</summary>
    AlreadyCanceled,

    /// <summary>The email was completed, so it cannot be cancelled.</summary>
    AlreadyCompleted,

    /// <summary>No email has this entity id.</summary>
    NotFound,
}
