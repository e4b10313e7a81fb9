using System.Buffers.Binary;
using System.Text;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Telemetry;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// The OTLP exporter on both transports, aimed at a collector stand-in that the test runs on a loopback port, with
/// the extra header of <c>Telemetry:Otlp:Headers</c>.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class OtlpExportTests
{
    private const string HeaderName = "x-collector-token";

    // The setting percent-encodes the space and the comma, as the OTLP specification's header format does.
    private const string HeaderValue = "otlp token,4c1f2a9e7b";
    private const string HeadersSetting = HeaderName + "=otlp%20token%2C4c1f2a9e7b";

    [Fact]
    public async Task Otlp_HttpProtobuf_SendsSpansMetricsAndHeader()
    {
        await using var collector = await OtlpCollector.StartAsync(grpc: false);

        await RunServerAsync(collector, "http/protobuf", "otlp-http");

        // Stopping the server flushed its exporters, so everything it had is at the collector now.
        var traces = collector.Received.Where(request => request.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, request => Assert.Equal("application/x-protobuf", request.ContentType));
        Assert.All(collector.Received, request => Assert.Equal(HeaderValue, request.Headers[HeaderName]));
        var spans = Encoding.UTF8.GetString(traces.SelectMany(request => request.Body).ToArray());
        Assert.Contains("ingest commit", spans);
        Assert.Contains("routing step", spans);
        Assert.Contains("routed-email", spans);
        Assert.Contains(collector.Received, request => request.Path == "/v1/metrics");
    }

    [Fact]
    public async Task Otlp_Grpc_SendsSpansMetricsAndHeader()
    {
        await using var collector = await OtlpCollector.StartAsync(grpc: true);

        await RunServerAsync(collector, "grpc", "otlp-grpc");

        var traces = collector.Received.Where(request => request.Path == OtlpCollector.GrpcTracePath).ToList();
        Assert.NotEmpty(traces);
        Assert.All(collector.Received, request => Assert.Equal("HTTP/2", request.Protocol));
        Assert.All(collector.Received, request => Assert.StartsWith("application/grpc", request.ContentType));
        Assert.All(collector.Received, request => Assert.Equal(HeaderValue, request.Headers[HeaderName]));

        // Each body is one uncompressed gRPC message: flag 0, then the protobuf's length in 4 big-endian bytes.
        Assert.All(traces, request => Assert.Equal(0, request.Body[0]));
        Assert.All(traces, request => Assert.Equal(
            request.Body.Length - 5, BinaryPrimitives.ReadInt32BigEndian(request.Body.AsSpan(1))));
        var spans = Encoding.UTF8.GetString(traces.SelectMany(request => request.Body).ToArray());
        Assert.Contains("ingest commit", spans);
        Assert.Contains("routing step", spans);
        Assert.Contains("routed-email", spans);
        Assert.Contains(collector.Received,
            request => request.Path == "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export");
    }

    /// <summary>Starts a server that exports to the collector, ingests one email and stops the server.</summary>
    private static async Task RunServerAsync(OtlpCollector collector, string protocol, string companyCode)
    {
        SuiteLog.RegisterSecret(HeaderValue, "OTLP header");
        SuiteLog.RegisterSecret(HeadersSetting, "OTLP headers setting");
        var settings = new Dictionary<string, string>
        {
            ["Telemetry:Otlp:Endpoint"] = collector.BaseAddress,
            ["Telemetry:Otlp:Protocol"] = protocol,
            ["Telemetry:Otlp:Headers"] = HeadersSetting,
        };
        await using var server = await TestServer.StartAsync(settings: settings);
        var scenario = await Scenario.CreateAsync(server, companyCode: companyCode);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
    }
}
