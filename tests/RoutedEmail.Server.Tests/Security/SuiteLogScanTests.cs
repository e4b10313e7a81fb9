using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>
/// The scan of the whole run's logs. <see cref="SuiteTestFramework"/> runs this class after every other test, so
/// it sees every line that every <see cref="TestServer"/> logged and every secret the helpers registered.
/// </summary>
public sealed class SuiteLogScanTests(ITestOutputHelper output)
{
    [Fact]
    public void SuiteLogs_AfterEveryTest_ContainNoSecret()
    {
        var scanner = SuiteLog.Scanner;
        output.WriteLine($"Scanned {scanner.MessageCount} log messages for {scanner.SecretCount} secrets.");

        Assert.True(scanner.Findings.Count == 0,
            "Log lines contain secrets (at most 50 shown):\n" + string.Join("\n", scanner.Findings));
    }
}
