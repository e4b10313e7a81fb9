using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RoutedEmail.Core.Reports;
using RoutedEmail.Server.Reports;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// The away time report: seconds each agent spent Away within a range, per away reason, computed from the event log.
/// It is the first of the agent reports, so it lives under <c>/reports</c>.
/// </summary>
internal static class AwayTimeReportEndpoints
{
    // The same maximum as the agent ids that PUT /agents/{agentId} accepts.
    private const int MaxAgentIdLength = 128;

    private static readonly IReadOnlyList<string> Parameters = ["from", "to", "agentId"];

    public static void MapAwayTimeReport(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/reports/away-time", GetAsync).AllowSupervisor()
            .WithSummary("Reports the seconds each agent spent Away within a range, per away reason.");
    }

    private static async Task<Results<Ok<AwayTimeReportResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(
        HttpContext context, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? agentId,
        IAwayReasonStore reports, IConfigurationStore configuration, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var query = context.Request.Query;
        var validation = new RequestValidation();
        ReportQuery.RejectUnknownParameters(validation, query, Parameters);
        var toValue = ReportQuery.ReadSingleValue(validation, query, "to", to);
        var fromValue = ReportQuery.ReadSingleValue(validation, query, "from", from);
        var rangeEnd = ReportQuery.ParseTime(validation, "to", toValue) ?? now;
        var rangeStart = from is null
            ? DefaultStart(validation, rangeEnd)
            : ReportQuery.ParseTime(validation, "from", fromValue);
        if (validation.IsValid)
        {
            ReportQuery.CheckRange(validation, rangeStart!.Value, rangeEnd, AwayTimeReport.MaxRange);
        }

        agentId = ReportQuery.ReadSingleValue(validation, query, "agentId", agentId);
        if (agentId is not null)
        {
            validation.CheckPathName("agentId", agentId, MaxAgentIdLength);
        }

        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var tenantId = TenantScope.Get(context).Id;
        if (agentId is not null && await configuration.GetAgentAsync(tenantId, agentId, cancellationToken) is null)
        {
            return SkillQueueEndpoints.NotFound("agent", agentId);
        }

        var start = rangeStart!.Value;
        var changes = await reports.ReadStatusChangesAsync(tenantId, agentId, start, rangeEnd, cancellationToken);
        var agents = AwayTimeReport.Compute(changes, start, rangeEnd, now);
        return TypedResults.Ok(AwayTimeReportResponse.Create(start, rangeEnd, agents));
    }

    /// <summary>
    /// Computes the start of the range when from is missing, which is to minus the default range, or adds an error
    /// and returns null when that start is before 1970.
    /// </summary>
    private static DateTimeOffset? DefaultStart(RequestValidation validation, DateTimeOffset rangeEnd)
    {
        var rangeStart = rangeEnd - AwayTimeReport.DefaultRange;
        if (rangeStart >= DateTimeOffset.UnixEpoch)
        {
            return rangeStart;
        }

        var hours = AwayTimeReport.DefaultRange.TotalHours;
        validation.Add("from", $"from is missing, so it defaults to to minus {hours:0} hours, which is " +
            $"{rangeStart:O}, before 1970-01-01T00:00:00Z, the earliest time a report accepts. Send a to of " +
            $"{DateTimeOffset.UnixEpoch + AwayTimeReport.DefaultRange:O} or later, or send an explicit from.");
        return null;
    }
}

/// <summary>The away time report of a range.</summary>
/// <param name="From">Start of the range, inclusive.</param>
/// <param name="To">End of the range, exclusive. Time after the request is not counted.</param>
/// <param name="Agents">The agents with Away time in the range, ordered by agent id (ordinal).</param>
public sealed record AwayTimeReportResponse(
    DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AgentAwayTimeResponse> Agents)
{
    internal static AwayTimeReportResponse Create(
        DateTimeOffset rangeStart, DateTimeOffset rangeEnd, IReadOnlyList<AgentAwayTime> agents) =>
        new(rangeStart, rangeEnd, [.. agents.Select(ToResponse)]);

    private static AgentAwayTimeResponse ToResponse(AgentAwayTime agent) =>
        new(agent.AgentId, ToSeconds(agent.Total),
            [.. agent.Reasons.Select(reason => new ReasonAwayTimeResponse(reason.Reason, ToSeconds(reason.Duration)))]);

    // The event log stores milliseconds, so seconds with three decimals lose nothing.
    private static double ToSeconds(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond / 1000.0;
}

/// <summary>One agent's Away time in the range.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="AwaySeconds">All of the agent's Away time in the range, in seconds: the sum of the reasons'.</param>
/// <param name="Reasons">The Away time per away reason, ordered by code (ordinal) with no reason first.</param>
public sealed record AgentAwayTimeResponse(
    string AgentId, double AwaySeconds, IReadOnlyList<ReasonAwayTimeResponse> Reasons);

/// <summary>The Away time of one agent with one away reason.</summary>
/// <param name="Reason">The away reason code, or null for Away without a reason.</param>
/// <param name="Seconds">The time, in seconds with millisecond precision.</param>
public sealed record ReasonAwayTimeResponse(string? Reason, double Seconds);
