using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests;

/// <summary>
/// The SDK against the real service's per-tenant rate limit: the throttle 429 is retried after its Retry-After
/// and reported as transient, never as a rejected key. The client runs on a fake clock, and the service's window
/// is a minute long, so it stays closed for the whole test.
/// </summary>
public sealed class ThrottleTests
{
    [Fact]
    public async Task Send_PastTenantLimit_RetriesThenThrowsTransient()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["RateLimits:Ingest:PermitLimit"] = "1",
            ["RateLimits:Ingest:Window"] = "00:01:00",
        });
        var tenant = await TestTenant.CreateAsync(server);
        var time = new FakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(server, tenant, time, logs);
        var client = services.GetRequiredService<RoutedEmailClient>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.SendAsync(ClientApiTests.Request("allowed"), limit.Token);

        var send = client.SendAsync(ClientApiTests.Request("throttled"), limit.Token);
        await AdvanceUntilCompletedAsync(time, send);
        var exception = await Assert.ThrowsAsync<RoutedEmailException>(() => send);

        Assert.Equal(HttpStatusCode.TooManyRequests, exception.StatusCode);
        Assert.True(exception.IsTransient);
        Assert.False(exception.IsKeyCheckRateLimited);
        Assert.False(exception.IsAuthenticationFailure);
        Assert.Contains("RateLimits:Ingest:PermitLimit", exception.ServiceMessage, StringComparison.Ordinal);
        var retries = logs.MessagesOf(9403).ToList();
        Assert.Equal(3, retries.Count);
        Assert.All(retries, message => Assert.Contains("HTTP 429", message, StringComparison.Ordinal));
        Assert.Null(await client.FindAsync("throttled", limit.Token));
    }

    /// <summary>Advances the fake clock a second at a time, for at most 10 minutes, until the task completes.</summary>
    private static async Task AdvanceUntilCompletedAsync(FakeTimeProvider time, Task task)
    {
        for (var second = 0; second < 600 && !task.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));

            // A real wait, bounded, for a retry that the advance released to reach the service.
            await Task.WhenAny(task, Task.Delay(20));
        }

        Assert.True(task.IsCompleted, "The send did not finish within 10 minutes on the fake clock.");
    }

    private static ServiceProvider Services(
        TestServer server, TestTenant tenant, FakeTimeProvider time, CapturingLoggerProvider logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddRoutedEmailClient(options =>
        {
            options.BaseAddress = server.BaseAddress;
            options.CompanyCode = tenant.CompanyCode;
            options.Environment = tenant.Environment;
            options.SecretsRegion = TestTenant.SecretsRegion;
            options.ApiKey = tenant.ApiKey;
        });
        return services.BuildServiceProvider();
    }
}
