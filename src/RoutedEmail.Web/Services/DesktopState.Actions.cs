using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Core.Agents;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The agent's actions. While the hub link is open they are hub calls, whose results carry a sequence and so order
/// correctly with pushes. Otherwise they go through the REST API, which retries the safe ones. Each returns null on
/// success, or the server's message, which names the value, the rule and the fix.
/// </summary>
public sealed partial class DesktopState
{
    /// <summary>The text SignalR puts before the server's message in a hub error.</summary>
    private const string HubErrorMarker = "HubException: ";

    public Task<string?> SetStatusAsync(AgentStatus status, string? reason) =>
        RunAsync(
            hub => reason is null
                ? hub.InvokeAsync<AgentWorkMessage>("SetStatus", status.ToString(), _stop.Token)
                : hub.InvokeAsync<AgentWorkMessage>("SetStatusWithReason", status.ToString(), reason, _stop.Token),
            () => api.SetStatusAsync(status.ToString(), reason, _stop.Token),
            restIsSafe: true);

    public Task<string?> AcceptAsync(long offerId) =>
        RunAsync(
            hub => hub.InvokeAsync<AgentWorkMessage>("Accept", offerId, _stop.Token),
            () => api.AcceptAsync(offerId, _stop.Token),
            restIsSafe: true);

    public Task<string?> DeclineAsync(long offerId) =>
        RunAsync(
            hub => hub.InvokeAsync<AgentWorkMessage>("Decline", offerId, _stop.Token),
            () => api.DeclineAsync(offerId, _stop.Token),
            restIsSafe: false);

    public Task<string?> CompleteAsync(long emailId, string? workCode, string? notes) =>
        RunAsync(
            hub => hub.InvokeAsync<AgentWorkMessage>("Complete", emailId, workCode, notes, _stop.Token),
            () => api.CompleteAsync(emailId, workCode, notes, _stop.Token),
            restIsSafe: true);

    public Task<string?> EndWrapAsync(long emailId) =>
        RunAsync(
            hub => hub.InvokeAsync<AgentWorkMessage>("EndWrap", emailId, _stop.Token),
            () => api.EndWrapAsync(emailId, _stop.Token),
            restIsSafe: true);

    public Task<string?> TransferAsync(long emailId, string? skillQueue, string? agentId) =>
        RunAsync(
            hub => hub.InvokeAsync<AgentWorkMessage>("Transfer", emailId, skillQueue, agentId, _stop.Token),
            () => api.TransferAsync(emailId, skillQueue, agentId, _stop.Token),
            restIsSafe: false);

    private async Task<string?> RunAsync(
        Func<HubConnection, Task<AgentWorkMessage>> viaHub, Func<Task<AgentWork>> viaRest, bool restIsSafe)
    {
        try
        {
            if (_hub is { State: HubConnectionState.Connected } hub)
            {
                try
                {
                    ApplyIfCurrent(await viaHub(hub));
                    return null;
                }
                catch (Exception exception) when (exception is not HubException && restIsSafe)
                {
                    // The link dropped during the call, so whether it ran is unknown. Repeating this action changes
                    // nothing, so REST repeats it, and the reconnect's snapshot shows the result.
                    Log.HubCallFailed(logger, exception.Message);
                }
            }

            // Without a sequence, the REST response is applied as is; the next push or reconnect supersedes it.
            Apply(await viaRest());
            return null;
        }
        catch (HubException exception)
        {
            var message = exception.Message;
            var start = message.IndexOf(HubErrorMarker, StringComparison.Ordinal);
            return start < 0 ? message : message[(start + HubErrorMarker.Length)..];
        }
        catch (AgentApiException exception) when (exception.StatusCode == 401)
        {
            SessionEnded?.Invoke();
            return exception.Message;
        }
        catch (AgentApiException exception)
        {
            return exception.Message;
        }
        catch (Exception exception) when (exception is InvalidOperationException or TaskCanceledException)
        {
            return "The server could not be reached, so the action may not have run. The desktop reconnects on its " +
                "own and then shows the current state; try again then.";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3, LogLevel.Warning, "A hub call failed without an answer, so it is repeated over REST: {Reason}")]
        public static partial void HubCallFailed(ILogger logger, string reason);
    }
}
