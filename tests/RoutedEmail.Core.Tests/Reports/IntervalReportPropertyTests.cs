using CsCheck;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Reports;

namespace RoutedEmail.Core.Tests.Reports;

/// <summary>
/// Random email histories, each a valid walk through the lifecycle (offer, decline, expiry, withdrawal, accept,
/// transfer to a queue or an agent, wrap, complete, cancel), checked for totals that the queue, agent and work code
/// reports must agree on. A failure prints the CsCheck seed; set the environment variable <c>CsCheck_Seed</c> to
/// replay it.
/// </summary>
public sealed class IntervalReportPropertyTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Queues = ["Parts", "Sales", "Billing"];
    private static readonly string[] Agents = ["ana", "ben", "eve"];
    private static readonly string?[] Codes = [null, "fixed", "refund"];

    private static readonly Dictionary<string, TimeSpan> Thresholds = Queues.ToDictionary(
        queue => queue, _ => TimeSpan.FromMinutes(5));

    private static readonly Gen<(int Queue, int StartMinute, int[] Choices)> EmailGen =
        Gen.Select(Gen.Int[0, Queues.Length - 1], Gen.Int[0, 600], Gen.Int[0, 99].Array[1, 16]);

    private static readonly Gen<((int Queue, int StartMinute, int[] Choices)[] Emails, int SkipMinutes, int Interval)>
        RunGen = Gen.Select(EmailGen.Array[1, 30], Gen.Int[0, 300], Gen.Int[0, 3]);

    [Fact]
    public void Compute_RandomHistories_ReportsAgree()
    {
        var completions = 0;
        var transfers = 0;
        RunGen.Sample(run =>
        {
            var events = new List<EmailEvent>();
            for (var i = 0; i < run.Emails.Length; i++)
            {
                var (queue, startMinute, choices) = run.Emails[i];
                events.AddRange(Simulate(i + 1, Queues[queue], Start.AddMinutes(startMinute), choices));
            }

            // Any range must keep the reports in agreement, including one that cuts histories in the middle.
            var interval = (ReportInterval[])[ReportInterval.QuarterHour, ReportInterval.HalfHour,
                ReportInterval.Hour, ReportInterval.Day];
            var whole = ReportIntervals.Split(Start, Start.AddDays(2), interval[run.Interval], "UTC");
            var part = ReportIntervals.Split(
                Start.AddMinutes(run.SkipMinutes), Start.AddDays(2), interval[run.Interval], "UTC");

            CheckAgreement(IntervalReport.Compute(whole, events, [], Thresholds, Start.AddDays(3)));
            CheckAgreement(IntervalReport.Compute(part, events, [], Thresholds, Start.AddDays(3)));
            var report = IntervalReport.Compute(whole, events, [], Thresholds, Start.AddDays(3));
            CheckWholeRange(report, run.Emails.Length, events);
            Interlocked.Add(ref completions, report.Queues.Sum(row => row.Completed));
            Interlocked.Add(ref transfers, report.Queues.Sum(row => row.TransferredIn));
        }, iter: 300);

        // Guards against generators that never reach the end of the lifecycle, which would make the checks vacuous.
        Assert.True(completions > 300, $"Only {completions} completions in 300 runs.");
        Assert.True(transfers > 30, $"Only {transfers} transfers to a queue in 300 runs.");
    }

    private static void CheckAgreement(IntervalReportResult report)
    {
        Assert.Equal(report.Queues.Sum(row => row.Offered), report.Agents.Sum(row => row.Offered));
        Assert.Equal(report.Queues.Sum(row => row.Accepted), report.Agents.Sum(row => row.Accepted));
        Assert.Equal(report.Queues.Sum(row => row.Declined), report.Agents.Sum(row => row.Declined));
        Assert.Equal(report.Queues.Sum(row => row.Missed), report.Agents.Sum(row => row.Missed));
        Assert.Equal(report.Queues.Sum(row => row.Completed), report.Agents.Sum(row => row.Completed));
        Assert.Equal(report.Queues.Sum(row => row.Completed), report.WorkCodes.Sum(row => row.Completed));
        Assert.Equal(report.Queues.Sum(row => row.Handle.Total.Ticks), report.Agents.Sum(row => row.Handle.Total.Ticks));
        Assert.Equal(report.Queues.Sum(row => row.Wrap.Total.Ticks), report.Agents.Sum(row => row.Wrap.Total.Ticks));
        Assert.Equal(report.Queues.Sum(row => row.Accepted), report.Queues.Sum(row => row.Wait.Count));
        foreach (var code in Codes)
        {
            Assert.Equal(
                report.WorkCodes.Where(row => row.WorkCode == code).Sum(row => row.Completed),
                report.Agents.Sum(row => row.WorkCodes.GetValueOrDefault(code ?? string.Empty)));
        }

        foreach (var row in report.Queues)
        {
            Assert.InRange(row.AnsweredWithinServiceLevel, 0, row.Accepted);
            Assert.True(row.ServiceLevel is null or >= 0 and <= 1, $"Service level {row.ServiceLevel}.");
        }
    }

    private static void CheckWholeRange(IntervalReportResult report, int emailCount, List<EmailEvent> events)
    {
        Assert.Equal(emailCount, report.Queues.Sum(row => row.Received));
        Assert.Equal(report.Queues.Sum(row => row.TransferredIn), report.Queues.Sum(row => row.TransferredOut));
        Assert.Equal(events.Count(e => e.Type == EventTypes.Completed), report.Queues.Sum(row => row.Completed));
        Assert.Equal(events.Count(e => e.Type == EventTypes.Canceled), report.Queues.Sum(row => row.Canceled));
        Assert.Equal(events.Count(e => e.Type == EventTypes.Accepted), report.Agents.Sum(row => row.Accepted));
    }

    /// <summary>Walks one email through the lifecycle, each choice picking the next step among the valid ones.</summary>
    private static List<EmailEvent> Simulate(long emailId, string queue, DateTimeOffset at, int[] choices)
    {
        var events = new List<EmailEvent>();
        var phase = "Queued";
        string? agent = null;
        void Log(string type, string? agentId = null, string? detail = null) =>
            events.Add(new EmailEvent(emailId, at, type, agentId, queue, detail));

        Log(EventTypes.Received);
        foreach (var choice in choices)
        {
            at = at.AddSeconds(10 + (choice * 37 % 400));
            switch (phase)
            {
                case "Queued" when choice < 8:
                    Log(EventTypes.Canceled);
                    return events;
                case "Queued":
                    agent = Agents[choice % Agents.Length];
                    Log(EventTypes.Offered, agent);
                    phase = "Offered";
                    break;
                case "Offered":
                    phase = (choice % 5) switch { 0 => "Queued", 1 => "Queued", 2 => "Queued", _ => "Active" };
                    Log((choice % 5) switch
                    {
                        0 => EventTypes.OfferDeclined,
                        1 => EventTypes.OfferExpired,
                        2 => EventTypes.OfferWithdrawn,
                        _ => EventTypes.Accepted,
                    }, agent);
                    break;
                case "Active" when choice < 10:
                    Log(EventTypes.Canceled, agent);
                    return events;
                case "Active" when choice < 30:
                    queue = Queues[choice % Queues.Length];
                    Log(EventTypes.Transferred, agent, queue);
                    phase = "Queued";
                    break;
                case "Active" when choice < 45:
                    var target = Agents[(Array.IndexOf(Agents, agent) + 1 + (choice % 2)) % Agents.Length];
                    Log(EventTypes.Transferred, agent, target);
                    Log(EventTypes.Offered, target);
                    agent = target;
                    phase = "Offered";
                    break;
                case "Active" when choice < 70:
                    Log(EventTypes.WrapStarted, agent, Codes[choice % Codes.Length]);
                    phase = "Wrap";
                    break;
                case "Active" or "Wrap":
                    var code = phase == "Wrap" ? events.Last(e => e.Type == EventTypes.WrapStarted).Detail
                        : Codes[choice % Codes.Length];
                    Log(EventTypes.Completed, agent, code);
                    return events;
            }
        }

        return events;
    }
}
