using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Client.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests;

/// <summary>
/// Retries of transient failures against a scripted loopback endpoint, on a fake clock: the delay is the
/// service's Retry-After, only marked requests are retried, and client errors are not.
/// </summary>
public sealed class RetryTests
{
    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Send_RetryAfter_WaitsThenSucceeds(int status)
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((status, "30"));
        var time = new FakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(endpoint.BaseAddress, time, logs);
        var client = services.GetRequiredService<RoutedEmailClient>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var send = client.SendAsync(ClientApiTests.Request("retried"), limit.Token);
        await endpoint.WaitForRequestsAsync(1);
        var advanced = await AdvanceUntilRequestsAsync(time, endpoint, 2);
        await send.WaitAsync(limit.Token);

        // The retry may arm its delay after an advance, which only makes it later, so 30 s is the lower bound.
        Assert.True(advanced >= TimeSpan.FromSeconds(30), $"The retry came after {advanced.TotalSeconds} s.");
        Assert.Equal(2, endpoint.Requests);
        Assert.Contains("in 30000 ms", Assert.Single(logs.MessagesOf(9403)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_PersistentServerError_Throws()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync(
            (500, "1"), (500, "1"), (500, "1"), (500, "1"));
        var time = new FakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(endpoint.BaseAddress, time, logs);
        var client = services.GetRequiredService<RoutedEmailClient>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var send = client.SendAsync(ClientApiTests.Request("failing"), limit.Token);
        await endpoint.WaitForRequestsAsync(1);
        await AdvanceUntilRequestsAsync(time, endpoint, 4);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(() => send.WaitAsync(limit.Token));

        Assert.Equal(HttpStatusCode.InternalServerError, exception.StatusCode);
        Assert.Equal("scripted 500", exception.ServiceMessage);
        Assert.EndsWith("scripted 500 Retry later.", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was changed", exception.Message, StringComparison.Ordinal);
        Assert.Equal(4, endpoint.Requests);
    }

    [Fact]
    public async Task Send_ThrottledEveryAttempt_ThrowsTransient()
    {
        // The service's throttle 429 carries Retry-After and no WWW-Authenticate challenge, unlike the 429 that
        // follows rejected API keys.
        await using var endpoint = await ScriptedEndpoint.StartAsync(
            (429, "2"), (429, "2"), (429, "2"), (429, "2"));
        var time = new FakeTimeProvider();
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(endpoint.BaseAddress, time, logs);
        var client = services.GetRequiredService<RoutedEmailClient>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var send = client.SendAsync(ClientApiTests.Request("throttled"), limit.Token);
        await endpoint.WaitForRequestsAsync(1);
        var advanced = await AdvanceUntilRequestsAsync(time, endpoint, 4);
        var exception = await Assert.ThrowsAsync<RoutedEmailException>(() => send.WaitAsync(limit.Token));

        Assert.Equal(HttpStatusCode.TooManyRequests, exception.StatusCode);
        Assert.True(exception.IsTransient);
        Assert.False(exception.IsKeyCheckRateLimited);
        Assert.False(exception.IsAuthenticationFailure);
        Assert.Equal(4, endpoint.Requests);
        Assert.True(advanced >= TimeSpan.FromSeconds(6), $"Three retries came after {advanced.TotalSeconds} s.");
        Assert.All(logs.MessagesOf(9403), message => Assert.Contains("in 2000 ms", message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_BadRequest_IsNotRetried()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((400, null));
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(endpoint.BaseAddress, new FakeTimeProvider(), logs);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(ClientApiTests.Request("bad")));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Equal(1, endpoint.Requests);
    }

    [Fact]
    public async Task Pipeline_UnmarkedRequest_IsNotRetried()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((503, "1"));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddHttpClient("unmarked").AddResilienceHandler("test", pipeline =>
            RoutedEmailResilience.Configure(
                pipeline, new RoutedEmailClientOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        await using var provider = services.BuildServiceProvider();
        var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient("unmarked");

        using var response = await httpClient.PostAsync(new Uri(endpoint.BaseAddress, "api/v1/tenants"), null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, endpoint.Requests);
    }

    [Fact]
    public async Task Send_Success_SendsOneRequest()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync();
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(endpoint.BaseAddress, new FakeTimeProvider(), logs);

        await services.GetRequiredService<RoutedEmailClient>().SendAsync(ClientApiTests.Request("ok"));

        Assert.Equal(1, endpoint.Requests);
    }

    /// <summary>
    /// Advances the fake clock one second at a time until the endpoint has received <paramref name="count"/>
    /// requests, and returns how far it advanced. The retry strategy may arm its delay after an advance. Stepping on
    /// until the request arrives makes that harmless, because it only delays the retry.
    /// </summary>
    private static async Task<TimeSpan> AdvanceUntilRequestsAsync(
        FakeTimeProvider time, ScriptedEndpoint endpoint, int count)
    {
        var advanced = TimeSpan.Zero;
        while (endpoint.Requests < count)
        {
            Assert.True(advanced < TimeSpan.FromSeconds(120), $"Only {endpoint.Requests} of {count} requests came.");
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);

            // A real wait, bounded, for the retry's request to reach the endpoint after the advance.
            await Task.WhenAny(endpoint.WaitForRequestsAsync(endpoint.Requests + 1), Task.Delay(20));
        }

        return advanced;
    }

    private static ServiceProvider Services(Uri baseAddress, FakeTimeProvider time, CapturingLoggerProvider logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddRoutedEmailClient(options =>
        {
            options.BaseAddress = baseAddress;
            options.CompanyCode = "abc-gadgets";
            options.Environment = "prod";
            options.SecretsRegion = "us-east-1";
            options.ApiKey = "fixed-key";
        });
        return services.BuildServiceProvider();
    }
}
