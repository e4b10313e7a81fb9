using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>An agent's connection to the agent hub through the .NET SignalR client, recording every pushed message.</summary>
public sealed class HubTestClient : IAsyncDisposable
{
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<JsonObject> _messages = Channel.CreateUnbounded<JsonObject>();

    private HubTestClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<JsonObject>("work", message => _messages.Writer.TryWrite(message));
    }

    public HubConnection Connection { get; }

    /// <summary>Builds a connection that sends the token, unstarted.</summary>
    public static HubTestClient Create(
        TestServer server, string? token, HttpTransportType transports = HttpTransportType.WebSockets) =>
        Create(server.BaseAddress, token, transports);

    /// <summary>Builds a connection to the server at the address that sends the token, unstarted.</summary>
    public static HubTestClient Create(
        Uri baseAddress, string? token, HttpTransportType transports = HttpTransportType.WebSockets)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/agent"), options =>
            {
                options.Transports = transports;
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        return new HubTestClient(connection);
    }

    /// <summary>Connects with the token of a signed-in agent client and returns the <c>Connected</c> message.</summary>
    public static async Task<(HubTestClient Client, JsonObject Connected)> ConnectAsync(
        TestServer server, HttpClient agent)
    {
        var client = Create(server, TokenOf(agent));
        await client.Connection.StartAsync();
        var connected = await client.NextAsync(_ => true, "the Connected message");
        Assert.Equal("Connected", connected["reason"]!.GetValue<string>());
        return (client, connected);
    }

    public static string TokenOf(HttpClient agent) => agent.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>
    /// Returns the next pushed message that meets the condition, skipping others, and fails the test after 10
    /// seconds naming what was expected and the messages seen.
    /// </summary>
    public async Task<JsonObject> NextAsync(Func<JsonObject, bool> condition, string expected)
    {
        using var timeout = new CancellationTokenSource(MessageTimeout);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(timeout.Token);
                if (condition(message))
                {
                    return message;
                }

                seen.Add(message.ToJsonString());
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for {expected}. Messages seen: [{string.Join(", ", seen)}]");
            throw;
        }
    }

    /// <summary>Returns the next pushed message whose work has this many offers.</summary>
    public Task<JsonObject> NextWithOffersAsync(int count) =>
        NextAsync(message => AgentApi.Offers(WorkOf(message)).Length == count, $"a push with {count} offers");

    public static JsonObject WorkOf(JsonObject message) => message["work"]!.AsObject();

    public static long SequenceOf(JsonObject message) => message["sequence"]!.GetValue<long>();

    public static string ReasonOf(JsonObject message) => message["reason"]!.GetValue<string>();

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
