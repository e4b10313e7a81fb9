using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>A tenant's skill queues, routed email configurations and agents, as administrators manage them.</summary>
public interface IConfigurationStore
{
    /// <summary>
    /// Creates or replaces a skill queue, keeping its enabled flag. Every work code group it names must exist, and a
    /// group that the queue did not use before must be enabled.
    /// </summary>
    /// <remarks>A change appends a ResourceCreated or ResourceChanged event for the actor.</remarks>
    Task<PutOutcome> PutSkillQueueAsync(
        long tenantId, SkillQueue queue, string? actor, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a work code group.</summary>
    /// <returns>True when the group was created, false when it replaced an existing one.</returns>
    /// <remarks>A change appends a ResourceCreated or ResourceChanged event for the actor.</remarks>
    Task<bool> PutWorkCodeGroupAsync(
        long tenantId, WorkCodeGroup group, string? actor, CancellationToken cancellationToken);

    /// <summary>Finds a work code group by name.</summary>
    Task<WorkCodeGroup?> GetWorkCodeGroupAsync(long tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's work code groups by name.</summary>
    Task<IReadOnlyList<WorkCodeGroup>> ListWorkCodeGroupsAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Finds a skill queue by name.</summary>
    Task<SkillQueue?> GetSkillQueueAsync(long tenantId, string name, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's skill queues by name.</summary>
    Task<IReadOnlyList<SkillQueue>> ListSkillQueuesAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a routed email configuration. Its skill queue must exist.</summary>
    /// <remarks>A change appends a ResourceCreated or ResourceChanged event for the actor.</remarks>
    Task<PutOutcome> PutConfigurationAsync(
        long tenantId, RoutedEmailConfiguration configuration, string? actor, CancellationToken cancellationToken);

    /// <summary>Finds a routed email configuration by owner id.</summary>
    Task<RoutedEmailConfiguration?> GetConfigurationAsync(
        long tenantId, string ownerId, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's routed email configurations by owner id.</summary>
    Task<IReadOnlyList<RoutedEmailConfiguration>> ListConfigurationsAsync(
        long tenantId, CancellationToken cancellationToken);

    /// <summary>Finds the configurations of the given owner ids; owners without one are left out.</summary>
    Task<IReadOnlyDictionary<string, RoutedEmailConfiguration>> FindConfigurationsAsync(
        long tenantId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the configurations of the given owner ids and the disabled skill queues among theirs, in one query
    /// that reads the committed state at the time of the call. Ingest runs it for every request.
    /// </summary>
    Task<OwnerRouting> FindOwnerRoutingAsync(
        long tenantId, IReadOnlyCollection<string> ownerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces an agent's definition, keeping the status, and gives the user of the same id the Agent
    /// role, creating the user when needed. A null <paramref name="passwordHash"/> keeps the stored password, and a
    /// new agent of an existing user takes that user's password. Every skill queue of the routing profile must exist.
    /// </summary>
    /// <remarks>A change appends a ResourceCreated or ResourceChanged event for the actor.</remarks>
    Task<PutOutcome> PutAgentAsync(
        long tenantId, AgentDefinition definition, string? passwordHash, string? actor,
        CancellationToken cancellationToken);

    /// <summary>Finds an agent by id.</summary>
    Task<Agent?> GetAgentAsync(long tenantId, string agentId, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's agents by id.</summary>
    Task<IReadOnlyList<Agent>> ListAgentsAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>Counts open email per queue and agents per status.</summary>
    Task<TenantStats> GetStatsAsync(long tenantId, CancellationToken cancellationToken);
}

/// <summary>An agent's definition as an administrator writes it.</summary>
/// <param name="AgentId">The agent's identifier.</param>
/// <param name="DisplayName">The name shown to supervisors.</param>
/// <param name="MaxConcurrentEmails">Maximum routed emails offered to or held by the agent at once.</param>
/// <param name="SkillQueues">The routing profile.</param>
/// <param name="WrapSeconds">The agent's wrap time in seconds, which replaces the queue's; null uses the queue's.</param>
/// <param name="MaxConcurrentTasks">
/// Maximum tasks at once on all channels, routed emails included; null uses <paramref name="MaxConcurrentEmails"/>.
/// </param>
public sealed record AgentDefinition(
    string AgentId, string DisplayName, int MaxConcurrentEmails, IReadOnlyList<SkillAssignment> SkillQueues,
    int? WrapSeconds = null, int? MaxConcurrentTasks = null);

/// <summary>The outcome of a create-or-replace.</summary>
/// <param name="Created">True when a new row was created.</param>
/// <param name="MissingSkillQueue">The referenced skill queue that does not exist, when nothing was written.</param>
/// <param name="PasswordRequired">True when a new agent was written without a password, so nothing was written.</param>
/// <param name="MissingWorkCodeGroup">The referenced work code group that does not exist, when nothing was written.</param>
/// <param name="DisabledWorkCodeGroup">
/// A disabled work code group that the queue did not use before, when nothing was written.
/// </param>
/// <param name="OpenEmails">
/// For a user PUT that removes the Agent role, the agent's open emails, when they kept anything from being written.
/// </param>
/// <param name="LastAdministrator">
/// True when a user PUT would remove the Administrator role from the tenant's only enabled Administrator, so nothing
/// was written.
/// </param>
public sealed record PutOutcome(
    bool Created, string? MissingSkillQueue = null, bool PasswordRequired = false, string? MissingWorkCodeGroup = null,
    int OpenEmails = 0, string? DisabledWorkCodeGroup = null, bool LastAdministrator = false)
{
    /// <summary>Whether the row was written.</summary>
    public bool Succeeded =>
        MissingSkillQueue is null && !PasswordRequired && MissingWorkCodeGroup is null && OpenEmails == 0
        && DisabledWorkCodeGroup is null;
}
