using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>
/// A server on a fake clock that allows loopback webhook targets, a tenant, and a receiver on 127.0.0.1. The
/// clock starts at the real time, because receivers reject signatures whose timestamp is far from their clock.
/// </summary>
public sealed class WebhookSetup : IAsyncDisposable
{
    private readonly int _maxAttempts;

    private WebhookSetup(
        TestServer server, Scenario tenant, WebhookReceiver receiver, FakeTimeProvider time, int maxAttempts)
    {
        _maxAttempts = maxAttempts;
        Server = server;
        Tenant = tenant;
        Receiver = receiver;
        Time = time;
    }

    public TestServer Server { get; private set; }

    public Scenario Tenant { get; private set; }

    public WebhookReceiver Receiver { get; }

    public FakeTimeProvider Time { get; }

    public static Dictionary<string, string> Settings(int maxAttempts = 10) => new()
    {
        ["Webhooks:AllowLoopbackTargets"] = "true",
        ["Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Webhooks:FirstRetryDelay"] = "00:00:05",
        ["Webhooks:MaxRetryDelay"] = "00:01:00",
    };

    public static async Task<WebhookSetup> StartAsync(
        int maxAttempts = 10, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var receiver = await WebhookReceiver.StartAsync();
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        var server = await TestServer.StartAsync(dataDirectory, time, Settings(maxAttempts), services: services);
        var tenant = await Scenario.CreateAsync(server);
        return new WebhookSetup(server, tenant, receiver, time, maxAttempts);
    }

    /// <summary>Stops the server and starts a new one on the same data directory, database and clock.</summary>
    public async Task RestartAsync()
    {
        var dataDirectory = Server.DataDirectory;
        await Server.DisposeAsync();
        Server = await TestServer.StartAsync(dataDirectory, Time, Settings(_maxAttempts));
        Tenant = Tenant.On(Server);
    }

    /// <summary>Creates a webhook to the receiver and returns its secret.</summary>
    public async Task<string> PutWebhookAsync(string name = "crm", params string[] eventTypes)
    {
        var created = await Tenant.PutAsync($"webhooks/{name}",
            new { url = Receiver.Url, eventTypes = eventTypes.Length == 0 ? ["*"] : eventTypes });
        return created["secret"]!.GetValue<string>();
    }

    public async Task<JsonArray> GetDeliveriesAsync(string name = "crm", string? state = null)
    {
        var query = state is null ? string.Empty : $"?state={state}";
        var path = $"{Tenant.TenantPath}/webhooks/{name}/deliveries{query}";
        return (await Server.Admin.GetFromJsonAsync<JsonArray>(path))!;
    }

    /// <summary>
    /// Advances the fake clock one step at a time, letting the service run between steps, until the condition
    /// holds. Fails after 30 seconds of real time.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<Task<bool>> condition, string expected, TimeSpan? step = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting until {expected}.");
            Time.Advance(step ?? TimeSpan.FromSeconds(1));

            // Real time for the service's tasks to run; the rules under test run on the fake clock.
            await Task.WhenAny(Receiver.NextRequest, Task.Delay(TimeSpan.FromMilliseconds(25)));
        }
    }

    /// <summary>Waits, without moving the fake clock, until the condition holds. Fails after 30 seconds.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, string expected) =>
        AdvanceUntilAsync(condition, expected, TimeSpan.Zero);

    public Task AdvanceUntilAsync(Func<bool> condition, string expected, TimeSpan? step = null) =>
        AdvanceUntilAsync(() => Task.FromResult(condition()), expected, step);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Receiver.DisposeAsync();

        // The servers ran on a data directory of this setup's own, so that a restart can reuse it.
        await TestStore.DropAsync(Server.DataDirectory);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Server.DataDirectory, recursive: true);
    }
}
