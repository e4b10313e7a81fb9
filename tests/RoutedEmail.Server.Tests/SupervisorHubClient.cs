using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>A supervisor's connection to the supervisor hub, counting the <c>changed</c> messages.</summary>
public sealed class SupervisorHubClient : IAsyncDisposable
{
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<bool> _messages = Channel.CreateUnbounded<bool>();
    private int _count;

    private SupervisorHubClient(HubConnection connection)
    {
        Connection = connection;
        connection.On("changed", () =>
        {
            Interlocked.Increment(ref _count);
            _messages.Writer.TryWrite(true);
        });
    }

    public HubConnection Connection { get; }

    /// <summary>The number of <c>changed</c> messages received so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Builds an unstarted connection to the tenant's hub path on the server that sends the token.</summary>
    public static SupervisorHubClient Create(Uri baseAddress, string companyCode, string environment, string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, $"/hubs/supervisor/{companyCode}/{environment}"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        return new SupervisorHubClient(connection);
    }

    /// <summary>Connects to the scenario's tenant on its server with the token of a signed-in client.</summary>
    public static async Task<SupervisorHubClient> ConnectAsync(Scenario scenario, HttpClient signedIn)
    {
        var client = Create(scenario.Server.BaseAddress, scenario.CompanyCode, scenario.Environment,
            signedIn.DefaultRequestHeaders.Authorization!.Parameter);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Waits for the next <c>changed</c> message; fails the test after 10 seconds.</summary>
    public async Task NextAsync(string expected)
    {
        using var timeout = new CancellationTokenSource(MessageTimeout);
        try
        {
            await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No changed message within {MessageTimeout.TotalSeconds} s, expected after {expected}.");
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
