using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>One request the receiver got, with the status of its response.</summary>
public sealed record ReceivedWebhook(
    string Id, string Timestamp, string Signature, string Body, IHeaderDictionary Headers, int Status)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string Type => Json["type"]!.GetValue<string>();

    public string? EntityId => Json["data"]!["entityId"]?.GetValue<string>();

    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// A webhook receiver on Kestrel at a free 127.0.0.1 port. It records every request and responds with the status
/// that <see cref="Respond"/> picks from the request and how often its webhook-id came before.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attemptsById = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedWebhook> _requests = new();
    private TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        Url = new Uri(new Uri(address), "/hooks").ToString();
    }

    /// <summary>The URL to register as the webhook's target.</summary>
    public string Url { get; }

    /// <summary>
    /// Picks the response: the status code and an optional Retry-After value, from the request and the number of
    /// earlier requests with its webhook-id. Default: 200.
    /// </summary>
    public Func<ReceivedWebhook, int, (int Status, string? RetryAfter)> Respond { get; set; } = (_, _) => (200, null);

    /// <summary>The requests in the order they arrived.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests => [.. _requests];

    /// <summary>A task that completes at the next request.</summary>
    public Task NextRequest => Volatile.Read(ref _received).Task;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        // Kestrel binds its port only when it starts, so the receiver reads the address afterwards.
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks", (HttpContext context) => receiver!.HandleAsync(context));
        await app.StartAsync();
        receiver = new WebhookReceiver(app);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = new HeaderDictionary();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name] = value;
        }

        var id = headers["webhook-id"].ToString();
        var earlier = _attemptsById.AddOrUpdate(id, 1, (_, count) => count + 1) - 1;
        var request = new ReceivedWebhook(id, headers["webhook-timestamp"].ToString(),
            headers["webhook-signature"].ToString(), body, headers, 0);
        var (status, retryAfter) = Respond(request, earlier);
        _requests.Enqueue(request with { Status = status });
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        context.Response.StatusCode = status;
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _received, next).TrySetResult();
    }
}
