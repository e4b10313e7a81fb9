using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Reads the earliest agent inactivity deadline of a test server with the default timeouts.</summary>
public static class InactivityDeadline
{
    private static readonly TimeSpan RestTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan HubTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Returns the earliest inactivity deadline of any agent that is not Offline, or null.</summary>
    public static Task<DateTimeOffset?> FindAsync(TestServer server) =>
        server.Services.GetRequiredService<IAgentActivityStore>()
            .FindNextInactivityDeadlineAsync(RestTimeout, HubTimeout, default);

    /// <summary>
    /// Polls until the earliest inactivity deadline is the expected one, which the server stores some time after a
    /// hub client connects or disconnects, and fails after 10 seconds naming both values.
    /// </summary>
    public static async Task WaitForAsync(TestServer server, DateTimeOffset? expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        DateTimeOffset? deadline;
        while ((deadline = await FindAsync(server)) != expected)
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting for the inactivity deadline {expected}; it is {deadline}.");
            }
        }
    }
}
