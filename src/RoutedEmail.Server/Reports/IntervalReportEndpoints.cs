using Microsoft.AspNetCore.Mvc;
using RoutedEmail.Core.Reports;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Reports;

/// <summary>
/// The interval reports per skill queue, per agent and per work code, in 15-, 30- or 60-minute or daily intervals
/// of the tenant's local time, computed on each request from the event log and, for the time before expired events,
/// from the totals that expiry stored. docs/reports.md defines the figures.
/// </summary>
internal static class IntervalReportEndpoints
{
    // The same maxima as PUT /skill-queues/{queue} and PUT /agents/{agentId} accept.
    private const int MaxQueueLength = 128;
    private const int MaxAgentIdLength = 128;

    public static void MapIntervalReports(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/reports/queues", GetQueuesAsync).AllowSupervisor().ProducesReport<QueueRowResponse>()
            .WithSummary("Reports each skill queue's figures per interval, as JSON or CSV.");
        tenant.MapGet("/reports/agents", GetAgentsAsync).AllowSupervisor().ProducesReport<AgentRowResponse>()
            .WithSummary("Reports each agent's status time and work per interval, as JSON or CSV.");
        tenant.MapGet("/reports/work-codes", GetWorkCodesAsync).AllowSupervisor()
            .ProducesReport<WorkCodeRowResponse>()
            .WithSummary("Reports the completions per work code and skill queue per interval, as JSON or CSV.");
    }

    /// <summary>Describes the responses of a report for OpenAPI: JSON or CSV, 400 and 404.</summary>
    private static RouteHandlerBuilder ProducesReport<TRow>(this RouteHandlerBuilder route) =>
        route.Produces<IntervalReportResponse<TRow>>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> GetQueuesAsync(
        HttpContext context, [FromQuery] string? queue, IntervalReportReader reports,
        IConfigurationStore configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await ComputeAsync(context, "queue", queue, configuration, reports, time,
            cancellationToken);
        if (request.Error is { } error)
        {
            return error;
        }

        var rows = request.Result!.Queues.Where(row => request.Filter is null || row.Queue == request.Filter)
            .Select(IntervalReportRowMapping.ToResponse).ToList();
        return request.Range!.Csv
            ? TypedResults.Text(IntervalReportCsv.Write(rows), IntervalReportCsv.ContentType)
            : TypedResults.Ok(Envelope(request, rows));
    }

    private static async Task<IResult> GetAgentsAsync(
        HttpContext context, [FromQuery] string? agentId, IntervalReportReader reports,
        IConfigurationStore configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await ComputeAsync(context, "agentId", agentId, configuration, reports, time,
            cancellationToken);
        if (request.Error is { } error)
        {
            return error;
        }

        var rows = request.Result!.Agents.Where(row => request.Filter is null || row.AgentId == request.Filter)
            .Select(IntervalReportRowMapping.ToResponse).ToList();
        return request.Range!.Csv
            ? TypedResults.Text(IntervalReportCsv.Write(rows), IntervalReportCsv.ContentType)
            : TypedResults.Ok(Envelope(request, rows));
    }

    private static async Task<IResult> GetWorkCodesAsync(
        HttpContext context, [FromQuery] string? queue, IntervalReportReader reports,
        IConfigurationStore configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await ComputeAsync(context, "queue", queue, configuration, reports, time,
            cancellationToken);
        if (request.Error is { } error)
        {
            return error;
        }

        var rows = request.Result!.WorkCodes.Where(row => request.Filter is null || row.Queue == request.Filter)
            .Select(IntervalReportRowMapping.ToResponse).ToList();
        return request.Range!.Csv
            ? TypedResults.Text(IntervalReportCsv.Write(rows), IntervalReportCsv.ContentType)
            : TypedResults.Ok(Envelope(request, rows));
    }

    /// <summary>
    /// Validates the request and computes all three reports, or returns the problem response. The filter names
    /// one queue or agent; an unknown one gets 404, like the away time report's agent.
    /// </summary>
    private static async Task<ReportRequest> ComputeAsync(
        HttpContext context, string filterField, string? filter, IConfigurationStore configuration,
        IntervalReportReader reports, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var validation = new RequestValidation();
        var query = context.Request.Query;
        ReportQuery.RejectUnknownParameters(validation, query, [.. IntervalReportQuery.Parameters, filterField]);
        var range = IntervalReportQuery.Parse(validation, context, tenant.TimeZone);
        filter = ReportQuery.ReadSingleValue(validation, query, filterField, filter);
        if (filter is not null)
        {
            validation.CheckPathName(filterField, filter, filterField == "queue" ? MaxQueueLength : MaxAgentIdLength);
        }

        if (!validation.IsValid || range is null)
        {
            return new ReportRequest(validation.ToProblem(), null, null, null, tenant.TimeZone);
        }

        var known = filter is null || (filterField == "queue"
            ? await configuration.GetSkillQueueAsync(tenant.Id, filter, cancellationToken) is not null
            : await configuration.GetAgentAsync(tenant.Id, filter, cancellationToken) is not null);
        if (!known)
        {
            var kind = filterField == "queue" ? "skill queue" : "agent";
            return new ReportRequest(
                SkillQueueEndpoints.NotFound(kind, filter!), null, null, null, tenant.TimeZone);
        }

        var result = await reports.ComputeAsync(tenant.Id, range.Periods, time.GetUtcNow(), cancellationToken);
        return new ReportRequest(null, range, result, filter, tenant.TimeZone);
    }

    private static IntervalReportResponse<TRow> Envelope<TRow>(ReportRequest request, IReadOnlyList<TRow> rows) =>
        new(request.Range!.Start, request.Range.End, IntervalReportRowMapping.IntervalName(request.Range.Interval),
            request.TimeZone, rows);

    /// <summary>A validated request with its computed reports, or the problem response to return.</summary>
    private sealed record ReportRequest(
        IResult? Error, IntervalReportRange? Range, IntervalReportResult? Result, string? Filter, string TimeZone);
}
