using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace RoutedEmail.Server.Tests.Soak;

/// <summary>
/// An agent on the agent hub for the soak: one SignalR connection that takes every offer pushed in a <c>work</c>
/// message once, accepts it and completes its email with a work code, and goes Available again whenever a snapshot
/// shows another status, such as Missed after an offer expired.
/// </summary>
internal sealed class SoakAgent : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly WindowedLatency _latency;
    private readonly SoakCounters _counters;
    private readonly string _workCode;
    private readonly HashSet<long> _seenOffers = [];
    private int _settingStatus;

    private SoakAgent(
        string agentId, HubConnection connection, WindowedLatency latency, SoakCounters counters, string workCode)
    {
        AgentId = agentId;
        _connection = connection;
        _latency = latency;
        _counters = counters;
        _workCode = workCode;
    }

    /// <summary>The agent's id.</summary>
    public string AgentId { get; }

    /// <summary>Opens the hub connection with the agent's token and sets the agent Available.</summary>
    /// <exception cref="HttpRequestException">The negotiation failed, such as 401 for a bad token.</exception>
    public static async Task<SoakAgent> ConnectAsync(
        Uri baseAddress, string agentId, string token, string workCode, WindowedLatency latency,
        SoakCounters counters)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/agent"),
                options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var agent = new SoakAgent(agentId, connection, latency, counters, workCode);
        connection.On<JsonElement>("work", agent.OnWork);
        await connection.StartAsync();
        await connection.InvokeAsync<JsonElement>("SetStatus", "Available");
        return agent;
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    // Runs on SignalR's receive loop, so every hub call goes on without blocking it.
    private void OnWork(JsonElement message)
    {
        var arrived = Stopwatch.GetTimestamp();
        var work = message.GetProperty("work");
        foreach (var offer in work.GetProperty("offers").EnumerateArray())
        {
            var offerId = offer.GetProperty("offerId").GetInt64();
            lock (_seenOffers)
            {
                // Snapshots repeat pending offers, so each offer is taken once, from the first snapshot that has it.
                if (!_seenOffers.Add(offerId))
                {
                    continue;
                }
            }

            var email = offer.GetProperty("email");
            var emailId = email.GetProperty("emailId").GetInt64();
            _latency.Offer(email.GetProperty("entityId").GetString()!, arrived);
            _ = Task.Run(() => TakeAsync(offerId, emailId));
        }

        if (work.GetProperty("status").GetString() != "Available"
            && Interlocked.Exchange(ref _settingStatus, 1) == 0)
        {
            _ = Task.Run(SetAvailableAsync);
        }
    }

    private async Task TakeAsync(long offerId, long emailId)
    {
        try
        {
            await _connection.InvokeAsync<JsonElement>("Accept", offerId);
            await _connection.InvokeAsync<JsonElement>("Complete", emailId, _workCode, "soak");
            _counters.CountCompleted();
        }
        catch (Exception exception) when (exception is HubException or InvalidOperationException
                                              or TaskCanceledException)
        {
            _counters.AddError($"agent {AgentId}, offer {offerId} of email {emailId}: {exception.Message}");
        }
    }

    private async Task SetAvailableAsync()
    {
        try
        {
            _counters.CountStatusReset();
            await _connection.InvokeAsync<JsonElement>("SetStatus", "Available");
        }
        catch (Exception exception) when (exception is HubException or InvalidOperationException
                                              or TaskCanceledException)
        {
            _counters.AddError($"agent {AgentId}, SetStatus Available: {exception.Message}");
        }
        finally
        {
            Volatile.Write(ref _settingStatus, 0);
        }
    }
}

/// <summary>The run's counters, shared by the sender, the agents and the API traffic across threads.</summary>
internal sealed class SoakCounters
{
    private const int ErrorsKept = 20;

    private readonly List<string> _firstErrors = [];
    private long _acknowledged;
    private long _completed;
    private long _statusResets;
    private long _apiRequests;
    private long _errors;

    /// <summary>Emails whose ingest request returned 200 with the success body.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Emails an agent accepted and completed.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>
    /// Times an agent saw a status other than Available and set Available again: once per agent for the snapshot
    /// sent at connect, and again after each expired offer (status Missed).
    /// </summary>
    public long StatusResets => Interlocked.Read(ref _statusResets);

    /// <summary>Stats, routed email and dashboard requests sent.</summary>
    public long ApiRequests => Interlocked.Read(ref _apiRequests);

    /// <summary>Failed requests and hub calls of every kind.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The first errors' descriptions, at most 20.</summary>
    public IReadOnlyList<string> FirstErrors
    {
        get
        {
            lock (_firstErrors)
            {
                return [.. _firstErrors];
            }
        }
    }

    /// <summary>Counts an acknowledged email.</summary>
    public void CountAcknowledged() => Interlocked.Increment(ref _acknowledged);

    /// <summary>Counts a completed email.</summary>
    public void CountCompleted() => Interlocked.Increment(ref _completed);

    /// <summary>Counts a status reset to Available.</summary>
    public void CountStatusReset() => Interlocked.Increment(ref _statusResets);

    /// <summary>Counts an API request.</summary>
    public void CountApiRequest() => Interlocked.Increment(ref _apiRequests);

    /// <summary>Counts an error and keeps its description if fewer than 20 are kept.</summary>
    public void AddError(string description)
    {
        Interlocked.Increment(ref _errors);
        lock (_firstErrors)
        {
            if (_firstErrors.Count < ErrorsKept)
            {
                _firstErrors.Add(description);
            }
        }
    }
}
