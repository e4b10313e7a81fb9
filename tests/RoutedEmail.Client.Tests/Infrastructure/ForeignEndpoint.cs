using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Client.Tests.Infrastructure;

/// <summary>
/// A Kestrel server on a free loopback port that is not the RoutedEmail service: it returns the same status, content
/// type and body to every request, as a web server or a proxy at a wrong base address would.
/// </summary>
public sealed class ForeignEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ForeignEndpoint(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ForeignEndpoint> StartAsync(int status, string contentType, string body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var endpoint = new ForeignEndpoint(app);
        endpoint.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.Single());
        return endpoint;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
