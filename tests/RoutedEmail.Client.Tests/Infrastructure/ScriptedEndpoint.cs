using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Client.Tests.Infrastructure;

/// <summary>
/// A Kestrel server on a free loopback port that responds to every request with the next scripted response, and
/// 200 SUCCESS once the script is used up. It counts the requests it received.
/// </summary>
public sealed class ScriptedEndpoint : IAsyncDisposable
{
    private const string Success = """{"responseEnum":"SUCCESS","errorMessage":null}""";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _script;
    private readonly ConcurrentQueue<TaskCompletionSource> _waiters = new();
    private int _requests;

    private ScriptedEndpoint(WebApplication app, IEnumerable<(int, string?)> script)
    {
        _app = app;
        _script = new ConcurrentQueue<(int, string?)>(script);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts the server with a script of (status, Retry-After header or null) responses.</summary>
    public static async Task<ScriptedEndpoint> StartAsync(params (int Status, string? RetryAfter)[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new ScriptedEndpoint(app, script);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        endpoint.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.Single());
        return endpoint;
    }

    /// <summary>Completes once the server has received <paramref name="count"/> requests.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Requests < count)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            if (Requests >= count)
            {
                break;
            }

            await waiter.Task.WaitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var (status, retryAfter) = _script.TryDequeue(out var next) ? next : (200, null);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(status == 200
            ? Success
            : $$"""{"responseEnum":"ERROROCCURRED","errorMessage":"scripted {{status}}"}""");
        Interlocked.Increment(ref _requests);
        while (_waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
