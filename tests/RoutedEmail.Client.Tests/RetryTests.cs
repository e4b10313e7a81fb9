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

        var send = client.SendAsync(ClientApiTests.Request("retried"));
        await endpoint.WaitForRequestsAsync(1);
        await WaitForRetryLogAsync(logs);
        time.Advance(TimeSpan.FromSeconds(29));
        var earlyRequests = endpoint.Requests;
        time.Advance(TimeSpan.FromSeconds(1));
        await send.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, earlyRequests);
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

        var send = client.SendAsync(ClientApiTests.Request("failing"));
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await endpoint.WaitForRequestsAsync(attempt);
            await WaitForRetryLogAsync(logs, attempt);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(HttpStatusCode.InternalServerError, exception.StatusCode);
        Assert.Equal("scripted 500", exception.ServiceMessage);
        Assert.EndsWith("scripted 500 Retry later.", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was changed", exception.Message, StringComparison.Ordinal);
        Assert.Equal(4, endpoint.Requests);
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

    private static async Task WaitForRetryLogAsync(CapturingLoggerProvider logs, int count = 1)
    {
        // NOTE: the retry strategy logs before it arms its delay on the fake clock, so an advance that comes
        // between the two is lost and the test fails after its 30-second wait. A full CI run once hung in this
        // project; which test hung is not known.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (logs.MessagesOf(9403).Count() < count)
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
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
