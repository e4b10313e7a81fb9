using System.Text.RegularExpressions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Follows the routing steps of one server process in its output, from the Debug lines that a step began and
/// finished (events 3005 and 3006 of <c>RoutingService</c>) and the error line of a failed step (event 3002). It can
/// send SIGKILL from the output thread the moment a step begins after the n-th freed slot. After the kill, once the
/// output has ended, it returns whether the last step that began has no finished line.
/// </summary>
/// <remarks>
/// <para>
/// A freed slot is an Information line of a change that lets the next step make an offer: a wrap time that ended or
/// an offer that expired (<c>DeadlineService</c>), or an offer declined (<c>AgentActions</c>). Under ingest load most
/// steps find no free agent and write nothing, and the step after a freed slot is the one most likely to write an
/// offer. Agents going Available are left out, because they often do so at the start of a cycle, before the load
/// has built up.
/// </para>
/// <para>
/// Routing steps run one at a time, so the last of these lines tells whether a step was running. The server's
/// console logger writes from a queue of its own. So a kill after the commit, whose finished line was still in that
/// queue, counts as inside the step too, and the count is an upper bound of kills inside the step's transaction.
/// </para>
/// </remarks>
internal sealed partial class RoutingStepWatch
{
    private readonly Lock _lock = new();
    private readonly ServerProcess _server;
    private readonly int _killAfterFreedSlot;
    private readonly Action? _killed;
    private int _began;
    private int _freedSlots;
    private bool _running;
    private bool _killSent;

    /// <summary>Starts following <paramref name="server"/>'s output from now on.</summary>
    /// <param name="server">The server process.</param>
    /// <param name="killAfterFreedSlot">The number of the freed slot, counted from now, after which the next step's
    /// began line triggers SIGKILL; 0 for no kill.</param>
    /// <param name="killed">Called right after that SIGKILL was sent.</param>
    public RoutingStepWatch(ServerProcess server, int killAfterFreedSlot = 0, Action? killed = null)
    {
        _server = server;
        _killAfterFreedSlot = killAfterFreedSlot;
        _killed = killed;
        server.OutputReceived += OnLine;
    }

    /// <summary>The number of steps that began since the watch started.</summary>
    public int Began
    {
        get
        {
            lock (_lock)
            {
                return _began;
            }
        }
    }

    /// <summary>The number of freed slots seen since the watch started.</summary>
    public int FreedSlots
    {
        get
        {
            lock (_lock)
            {
                return _freedSlots;
            }
        }
    }

    /// <summary>
    /// Waits until the killed process's output has ended, at most 10 seconds, and returns whether the last step that
    /// began has no finished or failed line.
    /// </summary>
    /// <exception cref="TimeoutException">The output did not end within 10 seconds.</exception>
    public async Task<bool> StepInFlightAtEndAsync()
    {
        await _server.OutputClosed.WaitAsync(TimeSpan.FromSeconds(10));
        _server.OutputReceived -= OnLine;
        lock (_lock)
        {
            return _running;
        }
    }

    [GeneratedRegex(@"Routing step for tenant \d+ (began|finished|failed)")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"Wrap time of email \d+ .* ended|expired; the email is back in its queue|" +
        "recorded as event OfferDeclined")]
    private static partial Regex FreedSlotLine();

    private void OnLine(string line)
    {
        var step = StepLine().Match(line);
        if (!step.Success)
        {
            if (FreedSlotLine().IsMatch(line))
            {
                lock (_lock)
                {
                    _freedSlots++;
                }
            }

            return;
        }

        var began = step.Groups[1].Value == "began";
        var kill = false;
        lock (_lock)
        {
            _running = began;
            if (began)
            {
                _began++;
                kill = !_killSent && _killAfterFreedSlot > 0 && _freedSlots >= _killAfterFreedSlot;
                _killSent |= kill;
            }
        }

        if (kill)
        {
            _server.SendKill();
            _killed?.Invoke();
        }
    }
}
