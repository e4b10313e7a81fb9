using System.Globalization;
using CsCheck;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Reports;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Retention;

/// <summary>
/// The retention and erasure checks, run by <c>SqliteRetentionStoreTests</c> and <c>PostgresRetentionStoreTests</c>
/// on a harness of their store.
/// </summary>
internal static class RetentionScenarios
{
    private static readonly string[] Queues = ["Parts", "Sales"];
    private static readonly string[] Agents = ["ana", "ben"];
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"];

    private static readonly ReportInterval[] Intervals =
        [ReportInterval.QuarterHour, ReportInterval.HalfHour, ReportInterval.Hour, ReportInterval.Day];

    /// <summary>Writes a random history, reports on it, expires twice and checks that every report is unchanged.</summary>
    public static void ReportsEqualAfterExpiry(Func<Func<RetentionHarness, Task>, Task> withHarness, int iterations)
    {
        var emailGen = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 6 * 1440], Gen.Int[0, 99].Array[1, 10]);
        var statusGen = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 6 * 1440], Gen.Int[0, 3]).Array[0, 12];
        var gen = Gen.Select(emailGen.Array[1, 20], statusGen, Gen.Int[0, Zones.Length - 1],
            Gen.Int[0, Intervals.Length - 1]);
        var deleted = 0L;
        gen.Sample(run =>
        {
            withHarness(async harness =>
            {
                var (emails, statuses, zone, interval) = run;
                var start = harness.Time.GetUtcNow();
                WriteHistory(harness, emails, statuses, start);
                harness.SetRetention(emailDays: 2, eventDays: 3);
                var ranges = new (DateTimeOffset From, DateTimeOffset To)[]
                {
                    (start, start.AddDays(7)), (start.AddDays(1), start.AddDays(2)),
                    (start.AddHours(30).AddMinutes(15), start.AddDays(5)),
                };

                // Every event is before the clock, so the reports do not change as it moves.
                harness.Time.Advance(TimeSpan.FromDays(7));
                var before = await ReportAllAsync(harness, ranges, Zones[zone], Intervals[interval]);
                var events = harness.Count("events");
                await harness.ExpireAsync();
                harness.Time.Advance(TimeSpan.FromHours(37.3));
                await harness.ExpireAsync();
                var after = await ReportAllAsync(harness, ranges, Zones[zone], Intervals[interval]);

                Assert.Equal(before, after);
                Interlocked.Add(ref deleted, events - harness.Count("events"));
            }).GetAwaiter().GetResult();
        }, iter: iterations, threads: 1);

        // Guards against a history that expiry never touches, which would make the check vacuous.
        Assert.True(deleted > iterations * 5, $"Only {deleted} events were deleted in {iterations} runs.");
    }

    private static async Task<List<string>> ReportAllAsync(
        RetentionHarness harness, (DateTimeOffset From, DateTimeOffset To)[] ranges, string zone,
        ReportInterval interval)
    {
        var lines = new List<string>();
        foreach (var (from, to) in ranges)
        {
            var periods = ReportIntervals.Split(from, to, interval, zone);
            var report = await harness.Reports.ComputeAsync(
                harness.TenantId, periods, harness.Time.GetUtcNow(), CancellationToken.None);
            lines.AddRange(report.Queues.Select(row => string.Join(' ', Time(row.Period), row.Queue, row.Received,
                row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn, row.TransferredIn,
                row.TransferredOut, row.Canceled, row.Completed, Stats(row.Wait), Stats(row.Handle), Stats(row.Wrap),
                row.AnsweredWithinServiceLevel, row.AbandonedAfterServiceLevel)));
            lines.AddRange(report.Agents.Select(row => string.Join(' ', Time(row.Period), row.AgentId,
                string.Join(',', row.StatusTime.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}")),
                row.Offered, row.Accepted, row.Declined, row.Missed, row.Withdrawn, row.Transferred, row.Completed,
                Stats(row.Handle), Stats(row.Wrap),
                string.Join(',', row.WorkCodes.Select(pair => $"{pair.Key}={pair.Value}")))));
            lines.AddRange(report.WorkCodes.Select(row => string.Join(' ', Time(row.Period), row.Queue,
                row.WorkCode ?? "-", row.Completed)));
        }

        return lines;
    }

    private static string Time(ReportPeriod period) => period.Start.ToString("O", CultureInfo.InvariantCulture);

    private static string Stats(DurationStats stats) => $"{stats.Count}/{stats.Total}/{stats.Max}";

    private static void WriteHistory(
        RetentionHarness harness, (int Queue, int Minute, int[] Steps)[] emails,
        (int Agent, int Minute, int Status)[] statuses, DateTimeOffset start)
    {
        harness.PutQueue("Parts", 240);
        harness.PutQueue("Sales", 600);
        foreach (var agent in Agents)
        {
            harness.PutAgent(agent);
        }

        foreach (var (agent, minute, status) in statuses.OrderBy(status => status.Minute))
        {
            var detail = (AgentStatus)status == AgentStatus.Away ? "Away lunch" : ((AgentStatus)status).ToString();
            harness.AddEvent(start.AddMinutes(minute).AddSeconds(3), EventTypes.AgentStatusChanged,
                agentId: Agents[agent], detail: detail);
        }

        for (var i = 0; i < emails.Length; i++)
        {
            WriteEmail(harness, i, emails[i], start);
        }
    }

    /// <summary>Walks one email through the lifecycle and writes its row and events.</summary>
    private static void WriteEmail(
        RetentionHarness harness, int index, (int Queue, int Minute, int[] Steps) email, DateTimeOffset start)
    {
        var queue = Queues[email.Queue];
        var at = start.AddMinutes(email.Minute).AddMilliseconds(index);
        var events = new List<(DateTimeOffset At, string Type, string? Agent, string? Detail, string Queue)>();
        var agent = Agents[0];
        var phase = "Queued";
        void Log(string type, string? agentId, string? detail = null) => events.Add((at, type, agentId, detail, queue));

        Log(EventTypes.Received, null);
        foreach (var step in email.Steps)
        {
            if (phase == "Closed")
            {
                break;
            }

            at = at.AddSeconds(5 + (step * 97 % 1800));
            agent = phase == "Queued" ? Agents[step % 2] : agent;
            (phase, queue) = Step(phase, step, agent, queue, Log);
        }

        var state = phase switch
        {
            "Closed" => events[^1].Type == EventTypes.Completed ? RoutedEmailState.Completed : RoutedEmailState.Canceled,
            "Offered" => RoutedEmailState.Offered,
            "Active" => RoutedEmailState.Active,
            "Wrap" => RoutedEmailState.Wrap,
            _ => RoutedEmailState.Queued,
        };
        var emailId = harness.AddEmail("e-" + index, queue, state, events[0].At,
            phase == "Closed" ? events[^1].At : null, phase is "Offered" or "Active" or "Wrap" ? agent : null);

        // Every third email's events predate the queue column, so the reports read the email's queue for them.
        var oldEvents = index % 3 == 0 && events.All(e => e.Queue == queue);
        foreach (var e in events)
        {
            harness.AddEvent(e.At, e.Type, emailId, e.Agent, e.Detail, oldEvents ? null : e.Queue);
        }
    }

    private static (string Phase, string Queue) Step(
        string phase, int step, string agent, string queue, Action<string, string?, string?> log)
    {
        switch (phase)
        {
            case "Queued" when step < 10:
                log(EventTypes.Canceled, null, null);
                return ("Closed", queue);
            case "Queued":
                log(EventTypes.Offered, agent, null);
                return ("Offered", queue);
            case "Offered" when step < 30:
                log(step < 10 ? EventTypes.OfferDeclined : step < 20 ? EventTypes.OfferExpired
                    : EventTypes.OfferWithdrawn, agent, null);
                return ("Queued", queue);
            case "Offered":
                log(EventTypes.Accepted, agent, null);
                return ("Active", queue);
            case "Active" when step < 20:
                var target = Queues[step % 2];
                log(EventTypes.Transferred, agent, target);
                return ("Queued", target);
            case "Active" when step < 50:
                log(EventTypes.WrapStarted, agent, step % 3 == 0 ? null : "code" + (step % 3));
                return ("Wrap", queue);
            case "Active" or "Wrap" when step < 60:
                log(EventTypes.Canceled, agent, null);
                return ("Closed", queue);
            default:
                log(EventTypes.Completed, agent, step % 2 == 0 ? "fixed" : null);
                return ("Closed", queue);
        }
    }
}
