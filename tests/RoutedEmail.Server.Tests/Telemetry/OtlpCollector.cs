using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Server.Tests.Telemetry;

/// <summary>One export request that the collector stand-in received.</summary>
/// <param name="Path">The request path, such as <c>/v1/traces</c>.</param>
/// <param name="Protocol">The HTTP version, such as <c>HTTP/2</c>.</param>
/// <param name="ContentType">The request's content type.</param>
/// <param name="Headers">The request headers; gRPC metadata arrives as HTTP/2 headers.</param>
/// <param name="Body">The request body: protobuf, or for gRPC a 5-byte frame header and protobuf.</param>
public sealed record OtlpRequest(
    string Path, string Protocol, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A stand-in for an OpenTelemetry collector on a free 127.0.0.1 port, for one OTLP transport. For
/// <c>http/protobuf</c> it takes <c>POST /v1/{signal}</c> over HTTP/1.1 and responds 200 with an empty protobuf
/// body. For <c>grpc</c> it takes <c>POST /{service}/Export</c> over cleartext HTTP/2 (h2c) and responds with an
/// empty gRPC message: a 5-byte frame header with length 0 and the trailer <c>grpc-status: 0</c>.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    /// <summary>The gRPC path of trace exports, as the OTLP specification's protobuf service defines it.</summary>
    public const string GrpcTracePath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private readonly WebApplication _app;

    private OtlpCollector(WebApplication app, string baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The URL for <c>Telemetry:Otlp:Endpoint</c>, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseAddress { get; }

    /// <summary>The requests in the order they arrived.</summary>
    public ConcurrentQueue<OtlpRequest> Received { get; } = new();

    public static async Task<OtlpCollector> StartAsync(bool grpc)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();

        // Kestrel binds its port only when it starts, so the handlers reach the collector through this variable.
        OtlpCollector? collector = null;
        if (grpc)
        {
            app.MapPost("/{service}/Export", (HttpContext context) => collector!.AnswerGrpcAsync(context));
        }
        else
        {
            app.MapPost("/v1/{signal}", (HttpContext context) => collector!.AnswerHttpAsync(context));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        collector = new OtlpCollector(app, address);
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerHttpAsync(HttpContext context)
    {
        await RecordAsync(context);
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task AnswerGrpcAsync(HttpContext context)
    {
        await RecordAsync(context);
        context.Response.ContentType = "application/grpc";

        // One uncompressed message of length 0: the empty Export*ServiceResponse.
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private async Task RecordAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(
            header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Received.Enqueue(new OtlpRequest(context.Request.Path, context.Request.Protocol,
            context.Request.ContentType, headers, body.ToArray()));
    }
}
