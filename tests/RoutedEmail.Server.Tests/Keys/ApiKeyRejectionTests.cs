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
        await IngestAssert.SucceededAsync(validFromSameClient);
        await IngestAssert.RejectedAsync(fromOtherClient, HttpStatusCode.Unauthorized);

        time.Advance(TimeSpan.FromSeconds(40));
        using var afterWindow = await tenant.IngestAsync(wrongKey, "limited-1");
        await IngestAssert.RejectedAsync(afterWindow, HttpStatusCode.Unauthorized);
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
