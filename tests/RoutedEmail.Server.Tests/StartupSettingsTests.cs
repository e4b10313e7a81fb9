using Microsoft.Extensions.Options;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class StartupSettingsTests
{
    [Theory]
    [InlineData("Agents:SessionLifetime")]
    [InlineData("Users:SessionLifetime")]
    [InlineData("Ingest:IdempotencyWindow")]
    [InlineData("ApiKeys:PreviousKeyGracePeriod")]
    public async Task TimeSetting_NotATimeSpan_StartFailsNamingIt(string setting)
    {
        var settings = new Dictionary<string, string> { [setting] = "banana" };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(settings: settings));

        Assert.Contains(setting, exception.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Agents:SessionLifetime", "-00:00:05")]
    [InlineData("Agents:SessionLifetime", "00:00:00")]
    [InlineData("Users:SessionLifetime", "00:00:00")]
    [InlineData("Users:FailureWindow", "-00:01:00")]
    [InlineData("Ingest:IdempotencyWindow", "-1.00:00:00")]
    [InlineData("ApiKeys:PreviousKeyGracePeriod", "-00:01:00")]
    public async Task TimeSetting_OutOfRange_StartFailsNamingIt(string setting, string value)
    {
        var settings = new Dictionary<string, string> { [setting] = value };

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(settings: settings));

        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Routing:DeclineSkipSeconds", "-1")]
    [InlineData("Routing:DeclineSkipSeconds", "86401")]
    [InlineData("Routing:AttendanceCheckMilliseconds", "-1")]
    [InlineData("Routing:AttendanceCheckMilliseconds", "60001")]
    public async Task RoutingSetting_OutOfRange_StartFailsNamingValue(string setting, string value)
    {
        var settings = new Dictionary<string, string> { [setting] = value };

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(settings: settings));

        Assert.Contains($"{setting} is {value}, out of range", exception.Message, StringComparison.Ordinal);
    }

    [SqliteFact]
    public async Task DataDirectory_NotWritable_StartFailsNamingIt()
    {
        var settings = new Dictionary<string, string> { ["Storage:DataDirectory"] = "/proc/routed-email-cannot-exist" };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(settings: settings));

        Assert.Contains("Storage:DataDirectory", exception.Message, StringComparison.Ordinal);
        Assert.Contains("/proc/routed-email-cannot-exist", exception.Message, StringComparison.Ordinal);
    }
}
