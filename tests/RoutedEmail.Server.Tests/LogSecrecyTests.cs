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

    [Fact]
    public async Task RequestLine_TokenInQuery_NotLogged()
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

        // A browser's hub connection sends its token in the query string, which the request lines would contain.
        using var anonymous = server.CreateClient();
        using (await anonymous.PostAsync(
            $"/hubs/agent/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(token)}", null))
        {
        }

        var log = string.Join("\n", capture.Messages);
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(token), log, StringComparison.Ordinal);
        Assert.DoesNotContain("/hubs/agent/negotiate", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogLines_OptionalIdsAbsent_NoEmptyPlaceholder()
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

        // Rejections without a company code, without an item and without a field.
        using (await scenario.IngestAsync(Scenario.SeedExample, request => request.Headers.Remove("X-sc-company-code")))
        using (await scenario.IngestAsync("{}"))
        using (await scenario.IngestAsync("[1]"))
        {
        }

        // A cancel while no agent has the email, and a status without an away reason.
        await scenario.IngestAcceptedAsync(scenario.Item("cancel-me"));
        await scenario.CancelAsync("cancel-me");
        await agent.SetStatusAsync("Away");

        // An offer change, which has no email id, and an email change, which has no offer id.
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.SetStatusAsync("Available");
        var offer = await WalkthroughTests.WaitForOfferAsync(agent);
        await agent.AcceptAndCompleteAsync(offer);

        var events = capture.EventIds.ToHashSet();
        Assert.Contains(4006, events);
        Assert.Contains(4005, events);
        Assert.Contains(4004, events);
        Assert.Contains(7002, events);
        Assert.Contains(6002, events);
        Assert.Contains(6003, events);
        Assert.Contains(6007, events);
        Assert.Empty(capture.EmptyValues);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ConcurrentQueue<int> EventIds { get; } = new();

        /// <summary>Lines of the service whose placeholders received null or blank values.</summary>
        public ConcurrentQueue<string> EmptyValues { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                // The structured values are captured too, so a secret passed as a parameter cannot hide.
                var pairs = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
                var values = string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"));
                var message = formatter(state, exception);
                provider.Messages.Enqueue($"{message} {values} {exception}");
                if (!category.StartsWith("RoutedEmail.", StringComparison.Ordinal))
                {
                    return;
                }

                provider.EventIds.Enqueue(eventId.Id);
                foreach (var (key, value) in pairs)
                {
                    if (value is null || (value is string text && string.IsNullOrWhiteSpace(text)))
                    {
                        provider.EmptyValues.Enqueue($"event {eventId.Id}, {key} is empty: {message}");
                    }
                }
            }
        }
    }
}
