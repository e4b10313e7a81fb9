using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>
/// Invalid API keys get identical 401s whatever the reason, are logged with the tenant and the reason and never the
/// key, and repeated failures from one client get 429.
/// </summary>
public sealed class ApiKeyRejectionTests
{
    private const string ApiKeyChallenge = "ApiKey header=\"X-sc-company-api-key\"";

    [Fact]
    public async Task InvalidKeys_EveryReason_IdenticalResponses()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var capture = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(time: time, services: services =>
            services.AddLogging(logging => logging.AddProvider(capture)));
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);
        var otherTenant = await KeyTenant.CreateAsync(server, null, companyCode: "other-company");
        var otherEnvironment = await KeyTenant.CreateAsync(server, null, environment: "test");
        var newKey = (await tenant.RotateAsync())["apiKey"]!.GetValue<string>();
        time.Advance(TimeSpan.FromHours(2));
        var invalidKeys = new Dictionary<string, string>
        {
            ["surrounding whitespace"] = "\v" + newKey + "\v",
            ["another tenant's key"] = otherTenant.FirstKey,
            ["another environment's key"] = otherEnvironment.FirstKey,
            ["the expired previous key"] = tenant.FirstKey,
        };

        var ingestBodies = new List<string>();
        var problemBodies = new List<string>();
        foreach (var (reason, key) in invalidKeys)
        {
            using var ingest = await tenant.IngestAsync(key, "rejected-1");
            using var lookUp = await tenant.LookUpAsync(key, "rejected-1");
            ingestBodies.Add(await IngestAssert.RejectedAsync(ingest, HttpStatusCode.Unauthorized));
            Assert.Equal(ApiKeyChallenge, ingest.Headers.WwwAuthenticate.ToString());
            Assert.Equal(ApiKeyChallenge, lookUp.Headers.WwwAuthenticate.ToString());
            var problem = await IngestAssert.ProblemAsync(lookUp, HttpStatusCode.Unauthorized);

            // The trace id differs per request by design, so it is left out of the comparison.
            Assert.True(problem.Remove("traceId"));
            problemBodies.Add(problem.ToJsonString());
            Assert.True(ingestBodies[0] == ingestBodies[^1], $"The ingest answer to {reason} differs.");
            Assert.True(problemBodies[0] == problemBodies[^1], $"The integrator answer to {reason} differs.");
        }

        using var valid = await tenant.IngestAsync(newKey, "accepted-1");
        await IngestAssert.SucceededAsync(valid);
        var log = string.Join("\n", capture.Messages);
        foreach (var key in invalidKeys.Values.Append(newKey))
        {
            Assert.DoesNotContain(key.Trim('\v'), log, StringComparison.Ordinal);
        }

        Assert.Contains("company abc-gadgets environment prod", log, StringComparison.Ordinal);
        Assert.Contains("the key has surrounding whitespace", log, StringComparison.Ordinal);
        Assert.Contains("the key is the previous key, whose grace period ended", log, StringComparison.Ordinal);
        Assert.Contains("the key matches none of the tenant's keys", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedFailures_PastLimit_Return429WithRetryAfter()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: time, settings: new Dictionary<string, string>
        {
            ["ApiKeys:FailureLimit"] = "3",
            ["ApiKeys:FailureWindow"] = "00:01:00",
        });
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);
        const string wrongKey = "wrong-key-0123456789";
        for (var i = 0; i < 3; i++)
        {
            using var rejected = await tenant.IngestAsync(wrongKey, "limited-1");
            await IngestAssert.RejectedAsync(rejected, HttpStatusCode.Unauthorized);
        }

        time.Advance(TimeSpan.FromSeconds(20));
        using var limited = await tenant.IngestAsync(wrongKey, "limited-1");
        using var limitedLookUp = await tenant.LookUpAsync(wrongKey, "limited-1");
        using var validFromSameClient = await tenant.IngestAsync(tenant.FirstKey, "valid-1");
        using var otherClient = LoopbackClient(server, IPAddress.Parse("127.0.0.2"));
        using var fromOtherClient = await tenant.IngestAsync(wrongKey, "limited-1", otherClient);

        var message = await IngestAssert.RejectedAsync(limited, (HttpStatusCode)429);
        Assert.Contains("Retry-After", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.Headers.RetryAfter?.Delta);
        await IngestAssert.ProblemAsync(limitedLookUp, (HttpStatusCode)429);
        Assert.NotNull(limitedLookUp.Headers.RetryAfter);
        Assert.Equal(ApiKeyChallenge, limited.Headers.WwwAuthenticate.ToString());
        Assert.Equal(ApiKeyChallenge, limitedLookUp.Headers.WwwAuthenticate.ToString());
        await IngestAssert.SucceededAsync(validFromSameClient);
        Assert.Empty(validFromSameClient.Headers.WwwAuthenticate);
        await IngestAssert.RejectedAsync(fromOtherClient, HttpStatusCode.Unauthorized);

        time.Advance(TimeSpan.FromSeconds(40));
        using var afterWindow = await tenant.IngestAsync(wrongKey, "limited-1");
        await IngestAssert.RejectedAsync(afterWindow, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RepeatedFailures_ListedProxy_CountPerForwardedClient()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["ApiKeys:FailureLimit"] = "2",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);
        using var firstClient = ForwardingClient(server, IPAddress.Loopback, "192.0.2.10");
        using var secondClient = ForwardingClient(server, IPAddress.Loopback, "192.0.2.20");
        using var unlistedProxy = ForwardingClient(server, IPAddress.Parse("127.0.0.2"), "192.0.2.30");
        using var sameUnlistedProxy = ForwardingClient(server, IPAddress.Parse("127.0.0.2"), "192.0.2.40");

        var firstStatuses = await IngestStatusesAsync(tenant, firstClient, 3);
        var secondStatuses = await IngestStatusesAsync(tenant, secondClient, 2);
        var unlistedStatuses = await IngestStatusesAsync(tenant, unlistedProxy, 2);
        var sameUnlistedStatuses = await IngestStatusesAsync(tenant, sameUnlistedProxy, 1);

        Assert.Equal([401, 401, 429], firstStatuses);
        Assert.Equal([401, 401], secondStatuses);
        Assert.Equal([401, 401], unlistedStatuses);

        // 127.0.0.2 is not a listed proxy, so its forwarded addresses are ignored and its failures share one count.
        Assert.Equal([429], sameUnlistedStatuses);
    }

    [Fact]
    public async Task RepeatedFailures_NoProxyListed_IgnoreForwardedFor()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["ApiKeys:FailureLimit"] = "2",
        });
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);
        using var firstClient = ForwardingClient(server, IPAddress.Loopback, "192.0.2.10");
        using var secondClient = ForwardingClient(server, IPAddress.Loopback, "192.0.2.20");

        var firstStatuses = await IngestStatusesAsync(tenant, firstClient, 2);
        var secondStatuses = await IngestStatusesAsync(tenant, secondClient, 1);

        Assert.Equal([401, 401], firstStatuses);
        Assert.Equal([429], secondStatuses);
    }

    [Fact]
    public async Task ProxySetting_InvalidAddress_FailsStartNamingIt()
    {
        var exception = await Assert.ThrowsAnyAsync<InvalidOperationException>(async () =>
        {
            await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
            {
                ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/33",
            });
        });

        Assert.Contains("ForwardedHeaders:KnownNetworks:0 is \"10.0.0.0/33\"", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<int[]> IngestStatusesAsync(KeyTenant tenant, HttpClient client, int count)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await tenant.IngestAsync("wrong-key-0123456789", "forwarded-1", client);
            statuses[i] = (int)response.StatusCode;
        }

        return statuses;
    }

    /// <summary>A client on the given loopback address that sends <c>X-Forwarded-For</c>, as a proxy would.</summary>
    private static HttpClient ForwardingClient(TestServer server, IPAddress localAddress, string forwardedFor)
    {
        var client = LoopbackClient(server, localAddress);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    /// <summary>A client whose connections come from the given loopback address, as another machine's would.</summary>
    private static HttpClient LoopbackClient(TestServer server, IPAddress localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseAddress };
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(Messages);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + exception);
        }
    }
}
