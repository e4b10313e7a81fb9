using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// One agent of <see cref="HubAgentLoad"/>: a hub connection that declines about one pushed offer in ten, accepts
/// the others, completes every Active email with a work code and goes Available whenever a snapshot shows another
/// status, such as Missed after an offer expired.
/// </summary>
internal sealed class HubAgent : IAsyncDisposable
{
    // The hub errors of expected races, which the REST agent API returns as 404 or 409: the offer expired or was
    // withdrawn, or the email changed, between the snapshot and the call.
    private static readonly string[] RaceMessages =
    [
        "can no longer be accepted",
        "only a Pending offer can be declined",
        "only an Active email can be completed",
        "No offer ",
        "holds no email",
    ];

    private readonly HubAgentLoad _load;
    private readonly HubConnection _connection;
    private readonly Random _random;
    private readonly HashSet<long> _offersTaken = [];
    private readonly HashSet<long> _emailsCompleted = [];
    private volatile bool _disposing;
    private int _settingStatus;

    public HubAgent(HubAgentLoad load, string agentId, HubConnection connection, int seed)
    {
        _load = load;
        AgentId = agentId;
        _connection = connection;
        _random = new Random(seed);
        _connection.On<JsonElement>("work", OnWork);
        _connection.Reconnected += _ =>
        {
            _load.CountReconnect();
            return Task.CompletedTask;
        };
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>The agent's id.</summary>
    public string AgentId { get; }

    /// <summary>The state of the hub connection.</summary>
    public HubConnectionState State => _connection.State;

    /// <summary>Opens the connection; its <c>Connected</c> snapshot starts the work.</summary>
    public Task StartAsync() => _connection.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await _connection.DisposeAsync();
    }

    private Task OnClosedAsync(Exception? exception)
    {
        if (!_disposing)
        {
            _load.AddError($"{AgentId}: the hub connection closed for good, because the automatic reconnect gave up " +
                $"after {HubAgentLoad.MaxReconnectTime.TotalSeconds} seconds: {exception?.Message ?? "no error"}");
        }

        return Task.CompletedTask;
    }

    // Runs on SignalR's receive loop, so every call goes on without blocking it.
    private void OnWork(JsonElement message)
    {
        var work = message.GetProperty("work");
        foreach (var offer in work.GetProperty("offers").EnumerateArray())
        {
            var offerId = offer.GetProperty("offerId").GetInt64();
            if (TryTake(_offersTaken, offerId))
            {
                _ = Task.Run(() => AnswerOfferAsync(offerId));
            }
        }

        foreach (var email in work.GetProperty("emails").EnumerateArray())
        {
            var emailId = email.GetProperty("emailId").GetInt64();
            if (email.GetProperty("state").GetString() == "Active" && TryTake(_emailsCompleted, emailId))
            {
                _ = Task.Run(() => CompleteAsync(emailId));
            }
        }

        if (work.GetProperty("status").GetString() != "Available"
            && Interlocked.Exchange(ref _settingStatus, 1) == 0)
        {
            _ = Task.Run(SetAvailableAsync);
        }
    }

    private async Task AnswerOfferAsync(long offerId)
    {
        var action = Choose(random => random.Next(10) == 0) ? AgentAction.Decline : AgentAction.Accept;
        var method = action == AgentAction.Accept ? "Accept" : "Decline";
        var acknowledged = await CallAsync(
            () => _connection.InvokeAsync<JsonElement>(method, offerId), action, $"{method} offer {offerId}");
        if (acknowledged == true)
        {
            _load.Ledger.Record(new AcknowledgedAction(action, AgentChannel.Hub, AgentId, offerId));
        }
        else if (acknowledged is null)
        {
            Release(_offersTaken, offerId);
        }
    }

    private async Task CompleteAsync(long emailId)
    {
        var workCode = Choose(random => AgentLoad.WorkCodes[random.Next(AgentLoad.WorkCodes.Length)]);
        var acknowledged = await CallAsync(
            () => _connection.InvokeAsync<JsonElement>("Complete", emailId, workCode, "crash loop"),
            AgentAction.Complete, $"Complete email {emailId}");
        if (acknowledged == true)
        {
            _load.Ledger.Record(
                new AcknowledgedAction(AgentAction.Complete, AgentChannel.Hub, AgentId, emailId, workCode));
        }
        else if (acknowledged is null)
        {
            Release(_emailsCompleted, emailId);
        }
    }

    /// <summary>
    /// Makes the call and returns true on success, false on a hub error, and null when the connection dropped
    /// before the result arrived, so the call may or may not have run.
    /// </summary>
    private async Task<bool?> CallAsync(Func<Task<JsonElement>> call, AgentAction action, string description)
    {
        try
        {
            var sending = call();
            _load.ActionSent?.Invoke(action, AgentChannel.Hub);
            OnWork(await sending);
            _load.CountSuccess(action);
            return true;
        }
        catch (HubException exception)
        {
            if (!RaceMessages.Any(race => exception.Message.Contains(race, StringComparison.Ordinal)))
            {
                _load.AddError($"{AgentId}: {description} failed: {exception.Message}");
            }

            return false;
        }
        catch (Exception exception) when (IsConnectionLoss(exception))
        {
            _load.CountUnanswered();
            return null;
        }
    }

    private async Task SetAvailableAsync()
    {
        try
        {
            OnWork(await _connection.InvokeAsync<JsonElement>("SetStatus", "Available"));
        }
        catch (HubException exception)
        {
            _load.AddError($"{AgentId}: SetStatus Available failed: {exception.Message}");
        }
        catch (Exception exception) when (IsConnectionLoss(exception))
        {
            // The Connected snapshot of the next connection shows the status again.
        }
        finally
        {
            Volatile.Write(ref _settingStatus, 0);
        }
    }

    // The exceptions of a call on a connection that is closed, reconnecting or dropped while the call waited.
    private static bool IsConnectionLoss(Exception exception) =>
        exception is IOException or InvalidOperationException or OperationCanceledException
            or WebSocketException or HttpRequestException;

    private T Choose<T>(Func<Random, T> choice)
    {
        lock (_random)
        {
            return choice(_random);
        }
    }

    private static bool TryTake(HashSet<long> ids, long id)
    {
        lock (ids)
        {
            return ids.Add(id);
        }
    }

    private static void Release(HashSet<long> ids, long id)
    {
        lock (ids)
        {
            ids.Remove(id);
        }
    }
}
