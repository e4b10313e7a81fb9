using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The dashboard's connection to the supervisor hub. It raises <see cref="Changed"/> when the server announces a
/// change of the tenant, and <see cref="StateChanged"/> when the connection goes up or down, so the page can poll
/// faster while it is down. A rejected token raises <see cref="SessionEnded"/>.
/// </summary>
public sealed class SupervisorLive(SupervisorApi api, NavigationManager navigation) : IAsyncDisposable
{
    private HubConnection? _hub;

    /// <summary>Raised for each <c>changed</c> message.</summary>
    public event Action? Changed;

    /// <summary>Raised when <see cref="IsConnected"/> changes.</summary>
    public event Action? StateChanged;

    /// <summary>Raised when the server rejected the session's token.</summary>
    public event Action? SessionEnded;

    /// <summary>True while the hub connection is open.</summary>
    public bool IsConnected => _hub?.State == HubConnectionState.Connected;

    /// <summary>
    /// Connects, retrying without end while the server cannot be reached. The caller reads the dashboard after a
    /// reconnect, because changes made while the connection was down were not announced.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri(api.HubPath()), options =>
                options.AccessTokenProvider = () => Task.FromResult(api.Current?.Token))
            .WithAutomaticReconnect(new EndlessRetryPolicy())
            .Build();
        hub.On("changed", () => Changed?.Invoke());
        hub.Reconnecting += _ => RaiseStateAsync();
        hub.Reconnected += _ =>
        {
            Changed?.Invoke();
            return RaiseStateAsync();
        };
        hub.Closed += async exception =>
        {
            await RaiseStateAsync();
            if (EndlessRetryPolicy.IsUnauthorized(exception))
            {
                SessionEnded?.Invoke();
                return;
            }

            await ConnectAsync(hub, cancellationToken);
        };
        _hub = hub;
        await ConnectAsync(hub, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_hub is { } hub)
        {
            _hub = null;
            await hub.DisposeAsync();
        }
    }

    /// <summary>Starts the connection, retrying with the reconnect delays until it opens or the page closes.</summary>
    private async Task ConnectAsync(HubConnection hub, CancellationToken cancellationToken)
    {
        var policy = new EndlessRetryPolicy();
        for (var attempt = 0L; !cancellationToken.IsCancellationRequested && _hub == hub; attempt++)
        {
            try
            {
                await hub.StartAsync(cancellationToken);
                await RaiseStateAsync();
                Changed?.Invoke();
                return;
            }
            catch (HttpRequestException exception) when (EndlessRetryPolicy.IsUnauthorized(exception))
            {
                SessionEnded?.Invoke();
                return;
            }
            catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.Forbidden)
            {
                // The user lost the Supervisor role. The page's reads get the same 403 and show its message.
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception)
            {
                // The server cannot be reached yet, so the page polls every few seconds meanwhile.
            }

            var delay = policy.NextRetryDelay(new RetryContext { PreviousRetryCount = attempt })!.Value;
            await Task.WhenAny(Task.Delay(delay, cancellationToken));
        }
    }

    private Task RaiseStateAsync()
    {
        StateChanged?.Invoke();
        return Task.CompletedTask;
    }
}
