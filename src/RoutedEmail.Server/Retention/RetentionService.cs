using Microsoft.Extensions.Options;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Retention;

/// <summary>
/// Runs expiry over every tenant once per <see cref="RetentionOptions.ExpiryInterval"/>: stores the report totals
/// of events past the tenant's event retention, then deletes those events, closed emails past the email retention
/// with their offers, and expired delivery records. Every node runs it; the store makes concurrent runs safe.
/// </summary>
internal sealed partial class RetentionService(
    IRetentionStore retention, ITenantStore tenants, IOptions<RetentionOptions> options, StartupGate startup,
    TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken);
            var ticks = new IntervalTicks(time, options.Value.ExpiryInterval);
            while (true)
            {
                await ticks.WaitAsync(stoppingToken);
                await ExpireOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping. Expiry continues at the next run, on this node or another.
        }
    }

    /// <summary>Runs expiry for every tenant. A tenant that fails is logged and tried again at the next run.</summary>
    internal async Task ExpireOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Tenant> all;
        try
        {
            all = await tenants.ListTenantsAsync(cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ListFailed(logger, exception);
            return;
        }

        foreach (var tenant in all)
        {
            try
            {
                var result = await retention.ExpireAsync(
                    tenant.Id, time.GetUtcNow(), options.Value.BatchSize, cancellationToken);
                Log.Expired(logger, tenant.Id, result.EventsDeleted, result.EmailsDeleted, result.OffersDeleted,
                    result.DeliveryRecordsDeleted, result.ReportTotalsUntil);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.ExpiryFailed(logger, exception, tenant.Id);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9101, LogLevel.Information,
            "Expiry of tenant {TenantId}: deleted {Events} events, {Emails} closed emails, {Offers} offers and " +
            "{DeliveryRecords} delivery records; report totals stored until {ReportTotalsUntil}")]
        public static partial void Expired(
            ILogger logger, long tenantId, int events, int emails, int offers, int deliveryRecords,
            DateTimeOffset? reportTotalsUntil);

        [LoggerMessage(9102, LogLevel.Warning, "Expiry of tenant {TenantId} failed; the next run tries again")]
        public static partial void ExpiryFailed(ILogger logger, Exception exception, long tenantId);

        [LoggerMessage(9103, LogLevel.Warning, "Listing the tenants for expiry failed; the next run tries again")]
        public static partial void ListFailed(ILogger logger, Exception exception);
    }
}
