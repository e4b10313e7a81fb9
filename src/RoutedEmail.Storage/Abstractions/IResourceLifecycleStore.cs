namespace RoutedEmail.Storage.Abstractions;

/// <summary>
/// Disabling and deleting a tenant's skill queues, routed email configurations, work code groups and away reasons.
/// Each change appends an event whose detail names the resource and the actor.
/// </summary>
public interface IResourceLifecycleStore
{
    /// <summary>Enables or disables a resource.</summary>
    Task<LifecycleOutcome> SetEnabledAsync(
        long tenantId, AdministeredResource resource, string name, bool enabled, string actor,
        CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a resource. A skill queue with open emails is not deleted, nor one that a configuration or another
    /// queue's escalation names, nor a work code group that a queue uses. Deleting a skill queue removes it from
    /// every agent's routing profile.
    /// </summary>
    Task<LifecycleOutcome> DeleteAsync(
        long tenantId, AdministeredResource resource, string name, string actor,
        CancellationToken cancellationToken);

    /// <summary>Returns which of the named skill queues are disabled; unknown names are left out.</summary>
    Task<IReadOnlySet<string>> FindDisabledSkillQueuesAsync(
        long tenantId, IReadOnlyCollection<string> names, CancellationToken cancellationToken);
}

/// <summary>The kinds of resource that <see cref="IResourceLifecycleStore"/> changes.</summary>
public enum AdministeredResource
{
    /// <summary>A skill queue, by name.</summary>
    SkillQueue,

    /// <summary>A routed email configuration, by owner id.</summary>
    Configuration,

    /// <summary>A work code group, by name.</summary>
    WorkCodeGroup,

    /// <summary>An away reason, by code.</summary>
    AwayReason,
}
