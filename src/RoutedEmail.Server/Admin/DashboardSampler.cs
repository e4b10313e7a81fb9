using Microsoft.Extensions.Options;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// Records every queue's dashboard figures once per <see cref="DashboardOptions.SampleInterval"/>, from one interval
/// after the node started, under the start of the interval. It also deletes samples older than
/// <see cref="DashboardOptions.SampleRetention"/>. Every node runs it. The samples' primary key (tenant, queue,
/// interval start) keeps the first node's row, so the result does not depend on the number of nodes.
/// </summary>
internal sealed partial class DashboardSampler(
    IDashboardSampleStore samples, IDashboardStore dashboards, ITenantStore tenants,
    IOptions<DashboardOptions> options, StartupGate startup, TimeProvider time, ILogger<DashboardSampler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken);
            var ticks = new IntervalTicks(time, options.Value.SampleInterval);
            while (true)
            {
                await ticks.WaitAsync(stoppingToken);
                await SampleOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping. The other nodes, or this one after a restart, record the next interval.
        }
    }

    /// <summary>Records one interval's samples of every tenant, then applies the retention.</summary>
    internal async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var at = StartOfInterval(now, options.Value.SampleInterval);
        var recorded = 0;
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
                recorded += await SampleTenantAsync(tenant, now, at, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.SampleFailed(logger, exception, tenant.Id);
            }
        }

        try
        {
            var retentionStart = now - options.Value.SampleRetention;
            var deleted = await samples.DeleteSamplesBeforeAsync(retentionStart, cancellationToken);
            Log.Sampled(logger, all.Count, recorded, deleted);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RetentionFailed(logger, exception);
        }
    }

    private async Task<int> SampleTenantAsync(
        Tenant tenant, DateTimeOffset now, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var dayStart = TenantDay.StartOf(now, tenant.TimeZone);
        var dashboard = await dashboards.ReadDashboardAsync(
            tenant.Id, tenant.TimeZone, now, dayStart, cancellationToken);
        var rows = dashboard.Queues
            .Select(queue => new QueueSample(queue.Name, at, queue.Waiting, queue.OldestWaitSeconds,
                queue.OfferedToday, queue.OfferedInServiceLevelToday))
            .ToList();
        return await samples.RecordSamplesAsync(tenant.Id, rows, cancellationToken);
    }

    /// <summary>
    /// Rounds down to a whole number of intervals since the Unix epoch, so every node gets the same time.
    /// </summary>
    internal static DateTimeOffset StartOfInterval(DateTimeOffset now, TimeSpan interval)
    {
        var ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(ticks - (ticks % interval.Ticks));
    }

    private static partial class Log
    {
        [LoggerMessage(9041, LogLevel.Debug,
            "Recorded dashboard samples of {Tenants} tenants: {Recorded} new rows, {Deleted} expired rows deleted")]
        public static partial void Sampled(ILogger logger, int tenants, int recorded, int deleted);

        [LoggerMessage(9042, LogLevel.Warning,
            "Recording the dashboard samples of tenant {TenantId} failed; the next interval tries again")]
        public static partial void SampleFailed(ILogger logger, Exception exception, long tenantId);

        [LoggerMessage(9043, LogLevel.Warning,
            "Listing the tenants for the dashboard samples failed; the next interval tries again")]
        public static partial void ListFailed(ILogger logger, Exception exception);

        [LoggerMessage(9044, LogLevel.Warning,
            "Deleting expired dashboard samples failed; the next interval tries again")]
        public static partial void RetentionFailed(ILogger logger, Exception exception);
    }
}
