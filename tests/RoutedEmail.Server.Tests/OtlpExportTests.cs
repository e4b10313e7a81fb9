using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The OTLP exporter, aimed at a collector stand-in that the test runs on a loopback port.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Otlp_LoopbackCollector_ReceivesSpansAndMetrics()
    {
        await using var collector = await LoopbackCollector.StartAsync();
        var settings = new Dictionary<string, string> { ["Telemetry:Otlp:Endpoint"] = collector.BaseAddress };
        await using (var server = await TestServer.StartAsync(settings: settings))
        {
            var scenario = await Scenario.CreateAsync(server, companyCode: "otlp-export");
            await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        }

        // Stopping the server flushed its exporters, so everything it had is at the collector now.
        var traces = collector.Received.Where(request => request.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, request => Assert.Equal("application/x-protobuf", request.ContentType));
        var spans = Encoding.UTF8.GetString(traces.SelectMany(request => request.Body).ToArray());
        Assert.Contains("ingest commit", spans);
        Assert.Contains("routing step", spans);
        Assert.Contains("routed-email", spans);
        Assert.Contains(collector.Received, request => request.Path == "/v1/metrics");
    }

    /// <summary>Records every OTLP/HTTP request and responds to each with an empty success response.</summary>
    private sealed class LoopbackCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LoopbackCollector(WebApplication app, string baseAddress)
        {
            _app = app;
            BaseAddress = baseAddress;
        }

        public string BaseAddress { get; }

        public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

        public static async Task<LoopbackCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            LoopbackCollector? collector = null;
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector!.Received.Enqueue(
                    new ReceivedRequest(context.Request.Path, context.Request.ContentType, body.ToArray()));
                return Results.Bytes([], "application/x-protobuf");
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
                .Addresses.Single();
            collector = new LoopbackCollector(app, address);
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private sealed record ReceivedRequest(string Path, string? ContentType, byte[] Body);
}
