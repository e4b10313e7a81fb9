using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Core.Agents;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The desktop's view of the agent's work, kept live through the agent hub. It applies the hub's snapshots by their
/// sequence (docs/agent-hub.md), reconnects for as long as the page is open, and takes each new connection's
/// <c>Connected</c> snapshot as the true state, so a dropped link or a server restart needs no reload.
/// </summary>
public sealed partial class DesktopState(
    AgentApi api, SessionStore session, NavigationManager navigation, TimeProvider time,
    ILogger<DesktopState> logger) : IAsyncDisposable
{
    private HubConnection? _hub;
    private CancellationTokenSource _stop = new();
    private long _sequence;
    private bool _connectedBefore;

    /// <summary>Raised after any change the page shows.</summary>
    public event Action? Changed;

    /// <summary>Raised with each offer that was not in the previous snapshot.</summary>
    public event Action<OfferDetails>? OfferArrived;

    /// <summary>Raised when the server rejects the session's token, so the agent must sign in again.</summary>
    public event Action? SessionEnded;

    /// <summary>The latest committed work; null until the first snapshot.</summary>
    public AgentWork? Work { get; private set; }

    /// <summary>The agent's maxima, away reasons, work codes and transfer targets; null until read.</summary>
    public DesktopContext? Context { get; private set; }

    /// <summary>The state of the hub link, which the connection banner shows.</summary>
    public HubLinkState Link { get; private set; } = HubLinkState.Connecting;

    /// <summary>When the current status began, from the server's event log or when this page saw it change.</summary>
    public DateTimeOffset? StatusSince { get; private set; }

    /// <summary>Opens the hub link and reads the desktop context. Calling it again does nothing.</summary>
    public async Task StartAsync()
    {
        if (_hub is not null)
        {
            return;
        }

        _stop = new CancellationTokenSource();
        _hub = BuildConnection();
        _ = ConnectAsync(_stop.Token);
        await RefreshContextAsync();
    }

    /// <summary>Closes the hub link and clears the work, as after a sign-out.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_hub is { } hub)
        {
            _hub = null;
            await hub.DisposeAsync();
        }

        Work = null;
        Context = null;
        StatusSince = null;
        _sequence = 0;
        _connectedBefore = false;
        Link = HubLinkState.Connecting;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>Reads the desktop context again, such as after an email of an owner it did not list.</summary>
    public async Task RefreshContextAsync()
    {
        try
        {
            Context = await api.GetDesktopContextAsync(_stop.Token);
            if (StatusSince is null && Context.StatusSince is { } since)
            {
                StatusSince = since;
            }

            Changed?.Invoke();
        }
        catch (AgentApiException exception) when (exception.StatusCode == 401)
        {
            SessionEnded?.Invoke();
        }
        catch (AgentApiException exception)
        {
            // The page works without the context (no maxima or pickers); the next reconnect reads it again.
            Log.ContextFailed(logger, exception.Message);
        }
    }

    private HubConnection BuildConnection()
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri("hubs/agent"), options =>
                options.AccessTokenProvider = () => Task.FromResult(session.Current?.Token))
            .WithAutomaticReconnect(new EndlessRetryPolicy())
            .AddJsonProtocol(options => options.PayloadSerializerOptions = AgentApi.Json)
            .Build();
        hub.On<AgentWorkMessage>("work", OnWork);
        hub.Reconnecting += _ =>
        {
            Link = HubLinkState.Reconnecting;
            Changed?.Invoke();
            return Task.CompletedTask;
        };
        hub.Reconnected += async _ =>
        {
            Link = HubLinkState.Connected;
            Changed?.Invoke();
            await RefreshContextAsync();
        };
        hub.Closed += exception =>
        {
            // The automatic reconnect gives up only on a rejected token; a closed link otherwise starts anew.
            if (EndlessRetryPolicy.IsUnauthorized(exception))
            {
                SessionEnded?.Invoke();
            }
            else if (!_stop.IsCancellationRequested)
            {
                Link = HubLinkState.Reconnecting;
                Changed?.Invoke();
                _ = ConnectAsync(_stop.Token);
            }

            return Task.CompletedTask;
        };
        return hub;
    }

    /// <summary>Opens the link, retrying until it opens, the token is rejected or the desktop stops.</summary>
    private async Task ConnectAsync(CancellationToken stop)
    {
        var policy = new EndlessRetryPolicy();
        for (var attempt = 0L; !stop.IsCancellationRequested && _hub is { } hub; attempt++)
        {
            try
            {
                await hub.StartAsync(stop);
                Link = HubLinkState.Connected;
                Changed?.Invoke();
                if (_connectedBefore)
                {
                    // The link was down for a while, so the maxima, away reasons and work codes may have changed.
                    await RefreshContextAsync();
                }

                _connectedBefore = true;

                return;
            }
            catch (Exception exception) when (EndlessRetryPolicy.IsUnauthorized(exception))
            {
                SessionEnded?.Invoke();
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException
                                              or System.Net.WebSockets.WebSocketException or TimeoutException)
            {
                Log.ConnectFailed(logger, attempt + 1, exception.Message);
                var delay = policy.NextRetryDelay(new RetryContext { PreviousRetryCount = attempt })!.Value;
                try
                {
                    await Task.Delay(delay, time, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Applies a pushed snapshot by the sequence rules of the hub contract.</summary>
    private async Task OnWork(AgentWorkMessage message)
    {
        if (message.Reason == "Connected")
        {
            _sequence = message.Sequence;
            Apply(message.Work);
            return;
        }

        if (message.Sequence < _sequence)
        {
            return;
        }

        var skipped = message.Sequence > _sequence + 1;
        _sequence = message.Sequence;
        Apply(message.Work);
        if (skipped && _hub is { State: HubConnectionState.Connected } hub)
        {
            // A push was lost, so the state is read again.
            ApplyIfCurrent(await hub.InvokeAsync<AgentWorkMessage>("GetWork", _stop.Token));
        }
    }

    private void ApplyIfCurrent(AgentWorkMessage message)
    {
        if (message.Sequence >= _sequence)
        {
            _sequence = message.Sequence;
            Apply(message.Work);
        }
    }

    /// <summary>Replaces the shown work, and notes a status change and the offers that are new.</summary>
    private void Apply(AgentWork work)
    {
        var previous = Work;
        Work = work;
        if (previous is not null && previous.Status != work.Status)
        {
            StatusSince = time.GetUtcNow();
        }

        var known = previous?.Offers.Select(offer => offer.OfferId).ToHashSet() ?? [];
        foreach (var offer in work.Offers.Where(offer => !known.Contains(offer.OfferId)))
        {
            OfferArrived?.Invoke(offer);
        }

        Changed?.Invoke();
        if (Context is { } context && work.Emails.Concat(work.Offers.Select(offer => offer.Email))
                .Any(email => context.SkillQueues.All(queue => queue.Name != email.SkillQueue)))
        {
            // A queue created after the context was read: its work codes are needed to complete the email.
            _ = RefreshContextAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Connecting to the agent hub failed (attempt {Attempt}): {Reason}")]
        public static partial void ConnectFailed(ILogger logger, long attempt, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Reading the desktop context failed: {Reason}")]
        public static partial void ContextFailed(ILogger logger, string reason);
    }
}
