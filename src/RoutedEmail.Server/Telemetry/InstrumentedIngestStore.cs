using System.Diagnostics;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Wraps the ingest store in a span and counts the new emails it commits. On SQLite the span covers the wait for
/// the group commit that contains the batch, so it shows how long a request waited for its fsync.
/// </summary>
internal sealed class InstrumentedIngestStore(IIngestStore inner, RoutedEmailMetrics metrics, TenantLabels tenants)
    : IIngestStore, IAsyncDisposable
{
    public async Task<int> AppendAsync(
        long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince,
        CancellationToken cancellationToken)
    {
        using var activity = RoutedEmailMetrics.Activities.StartActivity("ingest commit", ActivityKind.Internal);
        activity?.SetTag("routed_email.tenant_id", tenantId);
        activity?.SetTag("routed_email.batch.size", emails.Count);
        int queued;
        try
        {
            queued = await inner.AppendAsync(tenantId, emails, retainedSince, cancellationToken);
        }
        catch (Exception exception)
        {
            activity?.AddException(exception);
            activity?.SetStatus(ActivityStatusCode.Error);
            throw;
        }

        activity?.SetTag("routed_email.emails.queued", queued);
        if (queued > 0)
        {
            // The emails are committed, so a failure to label them must not fail the request: the label falls back.
            var tenant = await tenants.GetAsync(tenantId, CancellationToken.None);
            metrics.EmailsQueued.Add(queued, RoutedEmailMetrics.Tenant(tenant));
        }

        return queued;
    }

    public Task<IReadOnlySet<string>> FindRetriesAsync(
        long tenantId, IReadOnlyCollection<string> entityIds, DateTimeOffset retainedSince,
        CancellationToken cancellationToken) =>
        inner.FindRetriesAsync(tenantId, entityIds, retainedSince, cancellationToken);

    /// <summary>Disposes the inner store, whose group-commit writer the container no longer tracks.</summary>
    public async ValueTask DisposeAsync()
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
