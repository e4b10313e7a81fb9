using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// The supervisor dashboard's reads: one aggregate read of a tenant's queues and agents, and the recorded
/// per-queue samples behind its charts.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>The hours of history returned when the request names none.</summary>
    public const int DefaultHistoryHours = 4;

    public static void MapDashboard(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/dashboard", ReadAsync).AllowSupervisor()
            .WithSummary("Reads live per-queue and per-agent figures, with today's service level per queue.");
        tenant.MapGet("/dashboard/history", ReadHistoryAsync).AllowSupervisor()
            .WithSummary("Reads each queue's waiting count and service level, sampled every minute, for the last " +
                "hours.");
    }

    private static async Task<Ok<TenantDashboard>> ReadAsync(
        HttpContext context, IDashboardStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var now = time.GetUtcNow();
        var dayStart = TenantDay.StartOf(now, tenant.TimeZone);
        return TypedResults.Ok(
            await store.ReadDashboardAsync(tenant.Id, tenant.TimeZone, now, dayStart, cancellationToken));
    }

    private static async Task<Results<Ok<DashboardHistory>, ValidationProblem>> ReadHistoryAsync(
        HttpContext context, [FromQuery] int? hours, IDashboardSampleStore store, IOptions<DashboardOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        var span = hours ?? DefaultHistoryHours;
        validation.CheckRange("hours", span, 1, options.Value.MaxHistoryHours);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var tenant = TenantScope.Get(context);
        var now = time.GetUtcNow();
        var from = now - TimeSpan.FromHours(span);
        var samples = await store.ListSamplesAsync(tenant.Id, from, cancellationToken);
        var queues = samples
            .GroupBy(sample => sample.Queue, StringComparer.Ordinal)
            .Select(group => new QueueHistory(group.Key, group.ToList()))
            .ToList();
        return TypedResults.Ok(new DashboardHistory(
            from, now, (int)options.Value.SampleInterval.TotalSeconds, queues));
    }
}
