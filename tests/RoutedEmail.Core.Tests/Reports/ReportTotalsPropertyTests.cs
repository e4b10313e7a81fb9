using System.Globalization;
using CsCheck;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tests.Reports;

/// <summary>
/// Random histories reported whole from the event log and again with the part before a random horizon taken from
/// stored totals: every row must be equal. A failure prints the CsCheck seed; set the environment variable
/// <c>CsCheck_Seed</c> to replay it.
/// </summary>
public sealed class ReportTotalsPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Queues = ["Parts", "Sales"];
    private static readonly string[] Agents = ["ana", "ben"];
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu",
        "America/St_Johns", "Australia/Lord_Howe"];

    private static readonly ReportInterval[] Intervals =
        [ReportInterval.QuarterHour, ReportInterval.HalfHour, ReportInterval.Hour, ReportInterval.Day];

    private static readonly Dictionary<string, TimeSpan> Thresholds = new(StringComparer.Ordinal)
    {
        ["Parts"] = TimeSpan.FromMinutes(4),
        ["Sales"] = TimeSpan.FromMinutes(10),
    };

    private static readonly Gen<(int Queue, int StartMinute, int[] Steps)> EmailGen =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 2 * 1440], Gen.Int[0, 99].Array[1, 12]);

    private static readonly Gen<(int Agent, int Minute, int Status)[]> StatusGen =
        Gen.Select(Gen.Int[0, 1], Gen.Int[0, 3 * 1440], Gen.Int[0, 3]).Array[0, 20];

    [Fact]
    public void Compute_StoredTotalsBeforeHorizon_EqualsWholeLog()
    {
        var gen = Gen.Select(EmailGen.Array[1, 25], StatusGen, Gen.Int[1, 3 * 96], Gen.Int[0, 96])
            .Select(Gen.Int[0, Zones.Length - 1], Gen.Int[0, Intervals.Length - 1]);
        gen.Sample(run =>
        {
            var ((emails, statuses, horizonQuarter, splitQuarter), zone, interval) = run;
            var events = Simulate(emails);
            var changes = StatusChanges(statuses);
            var horizon = Start.AddMinutes(15 * horizonQuarter);
            var split = Start.AddMinutes(15 * Math.Min(splitQuarter, horizonQuarter));

            // Two expiry runs, the first up to split and the second on to the horizon.
            var first = ReportTotals.Sum(events, changes, Start.AddDays(-1), split, Thresholds);
            var second = ReportTotals.Sum(
                EventsOfEmailsFrom(events, split, horizon), ChangesFrom(changes, split), split, horizon, Thresholds);
            var stored = new StoredReportTotals(
                horizon, [.. first.Facts, .. second.Facts], [.. first.StatusTimes, .. second.StatusTimes]);

            var now = Start.AddDays(4);
            var periods = ReportIntervals.Split(
                Start.AddDays(-1), Start.AddDays(4), Intervals[interval], Zones[zone]);
            var whole = IntervalReport.Compute(periods, events, changes, Thresholds, now);
            var merged = IntervalReport.Compute(periods, EventsOfEmailsFrom(events, horizon, now),
                ChangesFrom(changes, horizon), Thresholds, now, stored);

            Assert.Equal(Describe(whole.Queues), Describe(merged.Queues));
            Assert.Equal(Describe(whole.Agents), Describe(merged.Agents));
            Assert.Equal(Describe(whole.WorkCodes), Describe(merged.WorkCodes));
        }, iter: 200);
    }

    [Fact]
    public void SystemZones_OffsetsSince1990_AreWholeQuarterHours()
    {
        // The stored totals are 15-minute UTC buckets, which fit the report intervals only when each UTC offset is
        // a whole number of quarter hours.
        var from = new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2040, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var zones = TimeZoneInfo.GetSystemTimeZones();
        Assert.True(zones.Count > 300, $"Only {zones.Count} time zones are installed.");
        foreach (var zone in zones)
        {
            Assert.Equal(0, zone.BaseUtcOffset.Ticks % TimeSpan.FromMinutes(15).Ticks);
            foreach (var rule in zone.GetAdjustmentRules().Where(rule => rule.DateEnd >= from && rule.DateStart < to))
            {
                var offset = zone.BaseUtcOffset + rule.BaseUtcOffsetDelta + rule.DaylightDelta;
                Assert.True(offset.Ticks % TimeSpan.FromMinutes(15).Ticks == 0,
                    $"{zone.Id} has the UTC offset {offset} from {rule.DateStart:yyyy-MM-dd}.");
            }
        }
    }

    [Fact]
    public void Sum_RangeOffQuarterHour_Throws()
    {
        Assert.Throws<ArgumentException>(() => ReportTotals.Sum(
            [], [], Start.AddMinutes(1), Start.AddHours(1), Thresholds));
    }

    /// <summary>The events of each email that has an event at or after <paramref name="from"/>.</summary>
    private static List<EmailEvent> EventsOfEmailsFrom(List<EmailEvent> events, DateTimeOffset from, DateTimeOffset to)
    {
        var emails = events.Where(e => e.At >= from && e.At < to).Select(e => e.EmailId).ToHashSet();
        return [.. events.Where(e => emails.Contains(e.EmailId) && e.At < to)];
    }

    /// <summary>Each agent's changes from its last change before <paramref name="from"/> on.</summary>
    private static List<AgentStatusChange> ChangesFrom(List<AgentStatusChange> changes, DateTimeOffset from) =>
    [
        .. changes.GroupBy(change => change.AgentId).SelectMany(agent =>
        {
            var last = agent.Where(change => change.At < from).Select(change => change.At).DefaultIfEmpty(from).Max();
            return agent.Where(change => change.At >= last);
        }),
    ];

    private static List<AgentStatusChange> StatusChanges((int Agent, int Minute, int Status)[] statuses) =>
    [
        .. statuses.OrderBy(status => status.Agent).ThenBy(status => status.Minute).Select(status =>
            new AgentStatusChange(Agents[status.Agent], Start.AddDays(-1).AddMinutes(status.Minute).AddSeconds(7),
                (AgentStatus)status.Status, status.Status == (int)AgentStatus.Away ? "lunch" : null)),
    ];

    /// <summary>Walks each email through the lifecycle; each step picks the next event among the valid ones.</summary>
    private static List<EmailEvent> Simulate((int Queue, int StartMinute, int[] Steps)[] emails)
    {
        var events = new List<EmailEvent>();
        for (var id = 0; id < emails.Length; id++)
        {
            var (queueIndex, startMinute, steps) = emails[id];
            var queue = Queues[queueIndex];
            var at = Start.AddDays(-1).AddMinutes(startMinute).AddMilliseconds(id);
            var agent = Agents[0];
            var phase = "Queued";
            void Log(string type, string? agentId, string? detail = null) =>
                events.Add(new EmailEvent(id + 1, at, type, agentId, queue, detail));

            Log(EventTypes.Received, null);
            foreach (var step in steps)
            {
                if (phase == "Closed")
                {
                    break;
                }

                at = at.AddSeconds(5 + (step * 53 % 900));
                agent = phase == "Queued" ? Agents[step % 2] : agent;
                phase = Step(phase, step, agent, Log, ref queue);
            }
        }

        return events;
    }

    private static string Step(string phase, int step, string agent, Action<string, string?, string?> log,
        ref string queue)
    {
        switch (phase)
        {
            case "Queued" when step < 10:
                log(EventTypes.Canceled, null, null);
                return "Closed";
            case "Queued":
                log(EventTypes.Offered, agent, null);
                return "Offered";
            case "Offered" when step < 30:
                log(step < 10 ? EventTypes.OfferDeclined : step < 20 ? EventTypes.OfferExpired
                    : EventTypes.OfferWithdrawn, agent, null);
                return "Queued";
            case "Offered":
                log(EventTypes.Accepted, agent, null);
                return "Active";
            case "Active" when step < 20:
                queue = Queues[step % 2];
                log(EventTypes.Transferred, agent, queue);
                return "Queued";
            case "Active" when step < 50:
                log(EventTypes.WrapStarted, agent, step % 3 == 0 ? null : "code" + (step % 3));
                return "Wrap";
            case "Active" or "Wrap" when step < 60:
                log(EventTypes.Canceled, agent, null);
                return "Closed";
            default:
                log(EventTypes.Completed, agent, step % 2 == 0 ? "fixed" : null);
                return "Closed";
        }
    }

    private static List<string> Describe(IEnumerable<QueueIntervalRow> rows) =>
    [
        .. rows.Select(row => string.Join(' ', row.Period.Start.ToString("O", CultureInfo.InvariantCulture),
            row.Queue, row.Received, row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn,
            row.TransferredIn, row.TransferredOut, row.Canceled, row.Completed, Describe(row.Wait),
            Describe(row.Handle), Describe(row.Wrap), row.AnsweredWithinServiceLevel, row.AbandonedAfterServiceLevel)),
    ];

    private static List<string> Describe(IEnumerable<AgentIntervalRow> rows) =>
    [
        .. rows.Select(row => string.Join(' ', row.Period.Start.ToString("O", CultureInfo.InvariantCulture),
            row.AgentId, string.Join(',', row.StatusTime.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}")),
            row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn, row.Transferred, row.Completed,
            Describe(row.Handle), Describe(row.Wrap), string.Join(',', row.WorkCodes.Select(pair => $"{pair.Key}={pair.Value}")))),
    ];

    private static List<string> Describe(IEnumerable<WorkCodeIntervalRow> rows) =>
    [
        .. rows.Select(row => string.Join(' ', row.Period.Start.ToString("O", CultureInfo.InvariantCulture),
            row.Queue, row.WorkCode ?? "-", row.Completed)),
    ];

    private static string Describe(DurationStats stats) => $"{stats.Count}/{stats.Total}/{stats.Max}";
}
