using Microsoft.AspNetCore.SignalR.Client;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Agents on the agent hub for the whole crash loop, as the agent desktop works: each takes the offers and Active
/// emails pushed to it in <c>work</c> messages and sends its accepts, declines and completes as hub calls. When the
/// server is killed, SignalR's automatic reconnect opens a new connection once the server is back on the same port,
/// and the new connection's <c>Connected</c> snapshot shows what is still to do.
/// </summary>
/// <remarks>
/// A call whose connection dropped before its result arrived may or may not have run. Its offer or email is taken
/// up again if a later snapshot still shows it, the way a desktop user would try again. Results that report an
/// expected race, such as an offer that expired before the accept, are not errors; every other hub error is kept in
/// <see cref="Errors"/>.
/// </remarks>
internal sealed class HubAgentLoad : IAsyncDisposable
{
    /// <summary>The time between reconnect attempts while the server is down.</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long an agent keeps trying to reconnect before it gives up and closes, which fails the test, so a server
    /// that never comes back cannot keep the agents retrying forever.
    /// </summary>
    public static readonly TimeSpan MaxReconnectTime = TimeSpan.FromSeconds(60);

    private readonly List<HubAgent> _agents = [];
    private readonly List<string> _errors = [];
    private Action<AgentAction, AgentChannel>? _actionSent;
    private int _accepts;
    private int _declines;
    private int _completes;
    private int _unanswered;
    private int _reconnects;

    private HubAgentLoad(AgentLedger ledger) => Ledger = ledger;

    /// <summary>
    /// Called when an accept, decline or complete call was sent, before its result arrives. The crash loop sets a
    /// new one for each cycle.
    /// </summary>
    public Action<AgentAction, AgentChannel>? ActionSent
    {
        get => Volatile.Read(ref _actionSent);
        set => Volatile.Write(ref _actionSent, value);
    }

    /// <summary>The number of accept calls that returned success.</summary>
    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>The number of decline calls that returned success.</summary>
    public int Declines => Volatile.Read(ref _declines);

    /// <summary>The number of complete calls that returned success.</summary>
    public int Completes => Volatile.Read(ref _completes);

    /// <summary>The number of calls whose connection dropped before their result arrived.</summary>
    public int Unanswered => Volatile.Read(ref _unanswered);

    /// <summary>The number of times an agent's connection was opened again by the automatic reconnect.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Every unexpected hub error, and every agent that gave up reconnecting.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>The ledger of the crash loop, which gets every action that returned success.</summary>
    internal AgentLedger Ledger { get; }

    /// <summary>Opens one hub connection per agent; the <c>Connected</c> snapshot of each starts its work.</summary>
    /// <param name="baseAddress">The server's address; a restarted server must listen on the same port.</param>
    /// <param name="tokens">The agent tokens by agent id.</param>
    /// <param name="seed">The seed of the agents' choices between accept and decline, and of work codes.</param>
    /// <param name="ledger">The ledger that records every action that returned success.</param>
    public static async Task<HubAgentLoad> ConnectAsync(
        Uri baseAddress, IReadOnlyDictionary<string, string> tokens, int seed, AgentLedger ledger)
    {
        var load = new HubAgentLoad(ledger);
        var index = 0;
        foreach (var (agentId, token) in tokens)
        {
            var agent = new HubAgent(load, agentId, BuildConnection(baseAddress, token), seed + index++);
            load._agents.Add(agent);
            await agent.StartAsync();
        }

        return load;
    }

    /// <summary>
    /// Waits until every agent's connection is open again after a restart, and returns the agents that are still
    /// not connected at <paramref name="timeout"/>, with their connection state.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitUntilConnectedAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested)
        {
            if (_agents.All(agent => agent.State == HubConnectionState.Connected))
            {
                return [];
            }

            await Task.Delay(20);
        }

        return [.. _agents.Where(agent => agent.State != HubConnectionState.Connected)
            .Select(agent => $"{agent.AgentId} is {agent.State}")];
    }

    /// <summary>Closes every connection; calls still running end without being counted as errors.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
    }

    /// <summary>Counts a call that returned success.</summary>
    internal void CountSuccess(AgentAction action)
    {
        switch (action)
        {
            case AgentAction.Accept:
                Interlocked.Increment(ref _accepts);
                break;
            case AgentAction.Decline:
                Interlocked.Increment(ref _declines);
                break;
            default:
                Interlocked.Increment(ref _completes);
                break;
        }
    }

    /// <summary>Counts a call whose connection dropped before its result arrived.</summary>
    internal void CountUnanswered() => Interlocked.Increment(ref _unanswered);

    /// <summary>Counts a connection that the automatic reconnect opened again.</summary>
    internal void CountReconnect() => Interlocked.Increment(ref _reconnects);

    /// <summary>Keeps an unexpected error for the test to report.</summary>
    internal void AddError(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    private static HubConnection BuildConnection(Uri baseAddress, string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/agent"),
                options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .WithAutomaticReconnect(new BoundedRetryPolicy())
            .Build();

    /// <summary>Retries every <see cref="ReconnectDelay"/> until <see cref="MaxReconnectTime"/> has passed.</summary>
    private sealed class BoundedRetryPolicy : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.ElapsedTime < MaxReconnectTime ? ReconnectDelay : null;
    }
}
