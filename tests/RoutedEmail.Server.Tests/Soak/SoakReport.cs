using System.Globalization;
using System.Text;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// Formats the soak's samples as a Markdown table and its checks as a list, for the test output and for the results
/// file that <c>scripts/soak</c> requests, which docs/reliability.md quotes.
/// </summary>
internal static class SoakReport
{
    private const double MiB = 1 << 20;

    /// <summary>
    /// The header of the sample table, with its separator line. The backlog is the number of acknowledged emails
    /// that agents have not completed yet.
    /// </summary>
    public const string Header =
        "| time | RSS MiB | fds | threads | CPU s | data dir MiB | WAL MiB | database MiB | emails | backlog " +
        "| ingest p99 ms | routing p99 ms |\n" +
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    /// <summary>Formats one sample as a row of the table.</summary>
    public static string FormatRow(SoakSample sample)
    {
        var gauges = sample.Gauges;
        var wal = gauges.WalBytes is { } walBytes ? (walBytes / MiB).ToString("F1", CultureInfo.InvariantCulture) : "-";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {sample.At.TotalSeconds:F0} s | {gauges.RssBytes / MiB:F1} | {gauges.FileDescriptors} | " +
            $"{gauges.Threads} | {gauges.CpuTime.TotalSeconds:F1} | {gauges.DataDirectoryBytes / MiB:F1} | {wal} | " +
            $"{gauges.DatabaseBytes / MiB:F1} | " +
            $"{sample.Acknowledged} | {sample.Acknowledged - sample.Completed} | " +
            $"{Milliseconds(LatencyWindow.P99(sample.Window.Ingest))} | " +
            $"{Milliseconds(LatencyWindow.P99(sample.Window.Routing))} |");
    }

    /// <summary>Formats the whole run: settings, the sample table, the totals and every check.</summary>
    public static string Format(SoakResult result, IReadOnlyList<SoakCheck> checks, string store)
    {
        var settings = result.Settings;
        var counters = result.Counters;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Soak on {store}: {settings.Duration.TotalMinutes:F0} min, {settings.EmailsPerSecond} emails/s " +
            $"open-loop ingest, {settings.Agents} hub agents, a sample every " +
            $"{settings.SampleInterval.TotalSeconds:F0} s.");
        text.AppendLine();
        text.AppendLine(Header);
        foreach (var sample in result.Samples)
        {
            text.AppendLine(FormatRow(sample));
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Sent {result.Sent}, acknowledged {counters.Acknowledged}, completed {counters.Completed}, " +
            $"API reads {counters.ApiRequests}, agent status resets {counters.StatusResets}, " +
            $"errors {counters.Errors}.");
        text.AppendLine();
        foreach (var check in checks)
        {
            var verdict = "pass";
            if (!check.Passed)
            {
                verdict = check.Enforced ? "FAIL" : "over the limit (reported only)";
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"- {check.Name}: {verdict}. {check.Detail}");
        }

        foreach (var error in counters.FirstErrors)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- error: {error}");
        }

        return text.ToString();
    }

    private static string Milliseconds(TimeSpan? value) =>
        value is { } time ? time.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
