using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The service logs ids, never a key, a token, a password or email content.</summary>
public sealed class LogSecrecyTests
{
    [Fact]
    public async Task Walkthrough_EveryLevel_LogsNoSecretOrContent()
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(services: services => services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(capture);
        }));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var token = agent.DefaultRequestHeaders.Authorization!.Parameter!;
        using (var ingest = await scenario.IngestAsync(Scenario.SeedExample))
        {
            ingest.EnsureSuccessStatusCode();
        }

        using var wrongKey = await scenario.IngestAsync(Scenario.SeedExample, request =>
        {
            request.Headers.Remove("X-sc-company-api-key");
            request.Headers.Add("X-sc-company-api-key", scenario.ApiKey + "x");
        });
        (await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Available" })).EnsureSuccessStatusCode();
        var offer = await WalkthroughTests.WaitForOfferAsync(agent);
        (await agent.PostAsync($"/api/v1/agent/offers/{offer["offerId"]}/accept", null)).EnsureSuccessStatusCode();

        var log = string.Join("\n", capture.Messages);
        Assert.Contains("maria", log, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.ApiKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.DoesNotContain(TestServer.AdminToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain("password-maria", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Replacement part for Model X45T", log, StringComparison.Ordinal);
        Assert.DoesNotContain("7762123-01", log, StringComparison.Ordinal);
        Assert.DoesNotContain("jtaylor@gmail.com", log, StringComparison.Ordinal);
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
                Func<TState, Exception?, string> formatter)
            {
                // The structured values are captured too, so a secret passed as a parameter cannot hide.
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                    : string.Empty;
                messages.Enqueue($"{formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
