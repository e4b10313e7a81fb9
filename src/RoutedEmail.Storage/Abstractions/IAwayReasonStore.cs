using RoutedEmail.Core.Agents;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>A tenant's away reason codes, as administrators manage them.</summary>
public interface IAwayReasonStore
{
    /// <summary>Creates or replaces an away reason.</summary>
    /// <returns>True when the reason was created, false when it replaced an existing one.</returns>
    Task<bool> PutAwayReasonAsync(long tenantId, AwayReason reason, CancellationToken cancellationToken);

    /// <summary>Finds an away reason by code.</summary>
    Task<AwayReason?> GetAwayReasonAsync(long tenantId, string code, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's away reasons by code.</summary>
    Task<IReadOnlyList<AwayReason>> ListAwayReasonsAsync(long tenantId, CancellationToken cancellationToken);
}
