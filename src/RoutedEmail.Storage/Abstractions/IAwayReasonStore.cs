using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>A tenant's away reason codes, as administrators manage them.</summary>
public interface IAwayReasonStore
{
    /// <summary>Creates or replaces an away reason.</summary>
    /// <returns>True when the reason was created, false when it replaced an existing one.</returns>
    /// <remarks>A change appends a ResourceCreated or ResourceChanged event for the actor.</remarks>
    Task<bool> PutAwayReasonAsync(
        long tenantId, AwayReason reason, string? actor, CancellationToken cancellationToken);

    /// <summary>Finds an away reason by code.</summary>
    Task<AwayReason?> GetAwayReasonAsync(long tenantId, string code, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's away reasons by code.</summary>
    Task<IReadOnlyList<AwayReason>> ListAwayReasonsAsync(long tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the <c>AgentStatusChanged</c> events that <see cref="AwayTimeReport.Compute"/> needs for a range: per
    /// agent, the last change before <paramref name="rangeStart"/> and every change before <paramref name="rangeEnd"/>.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="agentId">One agent, or null for every agent of the tenant.</param>
    /// <param name="rangeStart">Start of the range, inclusive.</param>
    /// <param name="rangeEnd">End of the range, exclusive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes ordered by agent id, then by time and by the order they were logged in.</returns>
    Task<IReadOnlyList<AgentStatusChange>> ReadStatusChangesAsync(
        long tenantId, string? agentId, DateTimeOffset rangeStart, DateTimeOffset rangeEnd,
        CancellationToken cancellationToken);
}
