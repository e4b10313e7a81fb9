namespace RoutedEmail.Core.Tenants;

/// <summary>A named queue of routed email, served by agents who have it in their routing profile.</summary>
/// <param name="Name">The queue name, unique within a tenant.</param>
/// <param name="OfferTimeoutSeconds">How long an agent has to accept an offer, in seconds.</param>
/// <param name="WrapSeconds">After-contact work time after completion, in seconds.</param>
/// <param name="ServiceLevelSeconds">The service-level threshold for accepting an email, in seconds.</param>
/// <param name="WorkCodeGroups">The work code groups agents pick from when completing email of this queue.</param>
/// <param name="WorkCodeRequired">Whether completing email of this queue needs a work code.</param>
/// <param name="Escalation">What happens to email that waits too long; null for nothing. Default: null.</param>
/// <param name="Enabled">
/// False while an administrator has disabled the queue: it takes no new email, and its waiting email is still
/// offered. Default: true.
/// </param>
public sealed record SkillQueue(
    string Name,
    int OfferTimeoutSeconds,
    int WrapSeconds,
    int ServiceLevelSeconds,
    IReadOnlyList<string> WorkCodeGroups,
    bool WorkCodeRequired,
    SkillQueueEscalation? Escalation = null,
    bool Enabled = true)
{
    /// <summary>Default offer timeout: 60 seconds.</summary>
    public const int DefaultOfferTimeoutSeconds = 60;

    /// <summary>Default wrap time: none.</summary>
    public const int DefaultWrapSeconds = 0;

    /// <summary>Default service-level threshold: one hour.</summary>
    public const int DefaultServiceLevelSeconds = 3600;
}

/// <summary>
/// The escalation rule of a skill queue. An email that has waited <paramref name="AfterSeconds"/> since its enqueue
/// time, and is waiting, is escalated once: its priority rises by <paramref name="RaisePriorityBy"/>, at most to
/// <see cref="RoutedEmailConfiguration.MaxPriority"/>, and agents who serve <paramref name="OverflowQueue"/> may take it
/// too, in that queue's routing order.
/// </summary>
/// <param name="AfterSeconds">How long the email waits before it is escalated, in seconds.</param>
/// <param name="RaisePriorityBy">How much the priority rises; 0 leaves it.</param>
/// <param name="OverflowQueue">Another skill queue whose agents may also take the email; null for none.</param>
public sealed record SkillQueueEscalation(int AfterSeconds, int RaisePriorityBy, string? OverflowQueue);
