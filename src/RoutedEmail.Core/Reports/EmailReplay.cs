using RoutedEmail.Core.Emails;

namespace RoutedEmail.Core.Reports;

/// <summary>
/// Replays the events of each email in the order they were logged and turns them into the facts the interval
/// reports count: which queue and agent each event belongs to, and how long each wait, handle and wrap lasted.
/// </summary>
internal static class EmailReplay
{
    /// <summary>Replays the events, which must be grouped by email and in log order within each email.</summary>
    public static IEnumerable<ReportFact> Replay(IEnumerable<EmailEvent> events)
    {
        foreach (var history in events.GroupBy(e => e.EmailId))
        {
            foreach (var fact in ReplayEmail([.. history]))
            {
                yield return fact;
            }
        }
    }

    private static List<ReportFact> ReplayEmail(List<EmailEvent> history)
    {
        var facts = new List<ReportFact>();
        var state = new EmailState(history[0].Queue, history[0].At);
        for (var i = 0; i < history.Count; i++)
        {
            var next = i + 1 < history.Count ? history[i + 1] : null;
            Apply(state, history[i], next, facts);
        }

        return facts;
    }

    private static void Apply(EmailState state, EmailEvent e, EmailEvent? next, List<ReportFact> facts)
    {
        var queue = state.Queue;
        switch (e.Type)
        {
            case EventTypes.Received:
                state.Queue = e.Queue;
                state.WaitingSince = e.At;
                facts.Add(new ReportFact(FactKind.Received, e.At, e.Queue, null, TimeSpan.Zero));
                break;
            case EventTypes.Offered:
                state.Phase = Phase.Waiting;
                facts.Add(new ReportFact(FactKind.Offered, e.At, queue, e.AgentId, TimeSpan.Zero));
                break;
            case EventTypes.Accepted:
                state.Phase = Phase.Active;
                state.HandleSince = e.At;
                state.HandleAgent = e.AgentId;
                facts.Add(new ReportFact(FactKind.Accepted, e.At, queue, e.AgentId, e.At - state.WaitingSince));
                break;
            case EventTypes.OfferDeclined:
                facts.Add(new ReportFact(FactKind.Declined, e.At, queue, e.AgentId, TimeSpan.Zero));
                break;
            case EventTypes.OfferExpired:
                facts.Add(new ReportFact(FactKind.Missed, e.At, queue, e.AgentId, TimeSpan.Zero));
                break;
            case EventTypes.OfferWithdrawn:
                facts.Add(new ReportFact(FactKind.Withdrawn, e.At, queue, e.AgentId, TimeSpan.Zero));
                break;
            case EventTypes.Transferred:
                Transfer(state, e, next, facts);
                break;
            case EventTypes.WrapStarted:
                EndHandle(state, e.At, facts);
                state.Phase = Phase.Wrap;
                state.WrapSince = e.At;
                break;
            case EventTypes.Completed:
                EndWork(state, e.At, facts);
                facts.Add(new ReportFact(FactKind.Completed, e.At, queue, e.AgentId ?? state.HandleAgent,
                    TimeSpan.Zero, string.IsNullOrEmpty(e.Detail) ? null : e.Detail));
                state.Phase = Phase.Closed;
                break;
            case EventTypes.Canceled:
                Cancel(state, e, facts);
                break;
        }
    }

    /// <summary>
    /// Counts a transfer. A transfer to an agent is logged together with the offer to that agent: the next event of
    /// the email is <c>Offered</c> at the same time to the agent the detail names. Any other transfer moved the email
    /// to the queue its detail names, where its wait starts again.
    /// </summary>
    private static void Transfer(EmailState state, EmailEvent e, EmailEvent? next, List<ReportFact> facts)
    {
        EndHandle(state, e.At, facts);
        state.Phase = Phase.Waiting;
        state.WaitingSince = e.At;
        var toAgent = next is { Type: EventTypes.Offered } && next.At == e.At
            && string.Equals(next.AgentId, e.Detail, StringComparison.Ordinal);
        if (toAgent)
        {
            facts.Add(new ReportFact(FactKind.TransferredToAgent, e.At, state.Queue, e.AgentId, TimeSpan.Zero));
            return;
        }

        var target = string.IsNullOrEmpty(e.Detail) ? e.Queue : e.Detail;
        facts.Add(new ReportFact(FactKind.TransferredOut, e.At, state.Queue, e.AgentId, TimeSpan.Zero));
        facts.Add(new ReportFact(FactKind.TransferredIn, e.At, target, e.AgentId, TimeSpan.Zero));
        state.Queue = target;
    }

    private static void Cancel(EmailState state, EmailEvent e, List<ReportFact> facts)
    {
        if (state.Phase == Phase.Waiting)
        {
            facts.Add(new ReportFact(
                FactKind.AbandonedWaiting, e.At, state.Queue, null, e.At - state.WaitingSince));
        }

        EndWork(state, e.At, facts);
        facts.Add(new ReportFact(FactKind.Canceled, e.At, state.Queue, e.AgentId, TimeSpan.Zero));
        state.Phase = Phase.Closed;
    }

    /// <summary>Ends the handle time of an Active email or the wrap time of an email in Wrap.</summary>
    private static void EndWork(EmailState state, DateTimeOffset at, List<ReportFact> facts)
    {
        if (state.Phase == Phase.Active)
        {
            EndHandle(state, at, facts);
        }
        else if (state.Phase == Phase.Wrap)
        {
            facts.Add(new ReportFact(FactKind.WrapEnded, at, state.Queue, state.HandleAgent, at - state.WrapSince));
        }
    }

    private static void EndHandle(EmailState state, DateTimeOffset at, List<ReportFact> facts)
    {
        if (state.Phase == Phase.Active)
        {
            facts.Add(new ReportFact(
                FactKind.HandleEnded, at, state.Queue, state.HandleAgent, at - state.HandleSince));
        }
    }

    private enum Phase
    {
        Waiting,
        Active,
        Wrap,
        Closed,
    }

    /// <summary>Where an email is during the replay.</summary>
    private sealed class EmailState(string queue, DateTimeOffset waitingSince)
    {
        public string Queue { get; set; } = queue;

        public Phase Phase { get; set; } = Phase.Waiting;

        /// <summary>When the email entered its current queue, or was transferred to an agent.</summary>
        public DateTimeOffset WaitingSince { get; set; } = waitingSince;

        public DateTimeOffset HandleSince { get; set; }

        public string? HandleAgent { get; set; }

        public DateTimeOffset WrapSince { get; set; }
    }
}
