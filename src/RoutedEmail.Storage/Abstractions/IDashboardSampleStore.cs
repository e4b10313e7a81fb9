using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>The per-minute samples of the dashboard's queue figures, which its charts read.</summary>
public interface IDashboardSampleStore
{
    /// <summary>
    /// Inserts the samples of one tenant. A sample whose tenant, queue and time are already stored is skipped, so
    /// several nodes can record the same minute. Returns the number of rows inserted.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="samples">The samples, each with its queue and the start of its minute.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<int> RecordSamplesAsync(
        long tenantId, IReadOnlyList<QueueSample> samples, CancellationToken cancellationToken);

    /// <summary>Lists the tenant's samples taken at or after <paramref name="since"/>, by queue and time.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="since">The earliest sample time to include.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<QueueSample>> ListSamplesAsync(
        long tenantId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Deletes the samples of every tenant taken before <paramref name="before"/> and returns how many.</summary>
    /// <param name="before">The retention limit.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<int> DeleteSamplesBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
