using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RoutedEmail.Core.Reports;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>
/// The away time report: seconds each agent spent Away within a range, per away reason, computed from the event log.
/// It is the first of the agent reports, so it lives under <c>/reports</c>.
/// </summary>
internal static partial class AwayTimeReportEndpoints
{
    // The same maximum as the agent ids that PUT /agents/{agentId} accepts.
    private const int MaxAgentIdLength = 128;

    private const string TimeExample =
        "such as 2026-03-02T09:00:00Z or 2026-03-02T09:00:00%2B01:00 (a '+' in a query string must be sent as %2B)";

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
        var rangeEnd = ParseTime(validation, "to", ReadSingleValue(validation, query, "to", to)) ?? now;
        var rangeStart = from is null
            ? DefaultStart(validation, rangeEnd)
            : ParseTime(validation, "from", ReadSingleValue(validation, query, "from", from));
        if (validation.IsValid)
        {
            CheckRange(validation, rangeStart!.Value, rangeEnd);
        }

        agentId = ReadSingleValue(validation, query, "agentId", agentId);
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
    /// Returns the bound value of a query parameter, or null with an error when the query string repeats it. The
    /// binder joins repeated values with commas, which would otherwise be read as one value.
    /// </summary>
    private static string? ReadSingleValue(
        RequestValidation validation, IQueryCollection query, string field, string? bound)
    {
        var count = query[field].Count;
        if (count <= 1)
        {
            return bound;
        }

        validation.Add(field, $"{field} is given {count} times in the query string, but it may be given only " +
            $"once. Send a single {field}.");
        return null;
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

    /// <summary>
    /// Parses an ISO 8601 instant with a UTC offset, or returns null when the value is missing or invalid.
    /// </summary>
    private static DateTimeOffset? ParseTime(RequestValidation validation, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        // The offset is required, because a time without one would be read in the server's time zone.
        if (!InstantPattern().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            validation.Add(field, $"{field} \"{value}\" is not an ISO 8601 time with a UTC offset. Send one " +
                $"{TimeExample}.");
            return null;
        }

        // Event times count milliseconds from the Unix epoch, and the default start is computed by subtraction.
        if (parsed < DateTimeOffset.UnixEpoch)
        {
            validation.Add(field, $"{field} \"{value}\" is before 1970-01-01T00:00:00Z, which is the earliest " +
                "time a report accepts. Send a later time.");
            return null;
        }

        return parsed;
    }

    private static void CheckRange(RequestValidation validation, DateTimeOffset rangeStart, DateTimeOffset rangeEnd)
    {
        if (rangeEnd <= rangeStart)
        {
            validation.Add("to", $"to ({rangeEnd:O}) is not after from ({rangeStart:O}). Send a to later than from, " +
                "because the range includes from and excludes to.");
        }
        else if (rangeEnd - rangeStart > AwayTimeReport.MaxRange)
        {
            validation.Add("from", $"The range from {rangeStart:O} to {rangeEnd:O} is " +
                $"{FormatLength(rangeEnd - rangeStart)} long, but it may be at most " +
                $"{AwayTimeReport.MaxRange.TotalDays:0} days. Send a later from, or split the range into several " +
                "requests.");
        }
    }

    /// <summary>
    /// Formats a length as days and hh:mm:ss with every nonzero fractional digit, so a range just over the maximum
    /// does not read as equal to it.
    /// </summary>
    private static string FormatLength(TimeSpan length)
    {
        var text = $"{length.Days} days {length.Hours:00}:{length.Minutes:00}:{length.Seconds:00}";
        var fraction = length.Ticks % TimeSpan.TicksPerSecond;
        return fraction == 0
            ? text
            : $"{text}.{fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex InstantPattern();
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
