namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Replays the event log of a tenant's emails in id order, as the lifecycle state machine: each email must start
/// with Received, take only lifecycle transitions and end in its stored state and agent. The replay also tracks the
/// emails each agent holds (Offered, Active or Wrap), so it finds an email offered while another agent held it and an
/// agent over its maximum at any past event, not only at the end.
/// </summary>
/// <remarks>
/// Event ids follow commit order for any two transitions that depend on each other: a routing step reads an agent's
/// load after the commit that freed the slot, and rows of one email are changed under its row lock. Events with an
/// email id that do not change the state, such as Escalated, are skipped.
/// </remarks>
internal static class EventReplay
{
    private const string None = "(none)";

    /// <summary>Adds every violation of the replay to <paramref name="findings"/>.</summary>
    public static void Check(
        AuditFindings findings, IReadOnlyList<EmailRow> emails, IReadOnlyList<EventRow> events,
        IReadOnlyDictionary<string, int> maxima)
    {
        var states = new Dictionary<long, (string State, string? Holder)>();
        var loads = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in events)
        {
            var known = states.TryGetValue(entry.EmailId, out var current);
            var state = known ? current.State : None;
            var next = Transition(state, entry.Type);
            if (next is null)
            {
                findings.InvalidEvents.Add(
                    $"email {entry.EmailId}: event {entry.Id} {entry.Type} is not allowed in state {state}");
                continue;
            }

            if (next == state)
            {
                // Every lifecycle transition changes the state, so this is a type such as Escalated.
                continue;
            }

            var holder = current.Holder;
            if (entry.Type == "Offered")
            {
                if (entry.AgentId is null)
                {
                    findings.InvalidEvents.Add($"email {entry.EmailId}: Offered event {entry.Id} names no agent");
                }

                holder = entry.AgentId;
                Hold(findings, loads, maxima, holder, entry);
            }
            else if (next is "Queued" or "Completed" or "Canceled" && holder is not null)
            {
                loads[holder]--;
                holder = null;
            }

            states[entry.EmailId] = (next, holder);
        }

        foreach (var email in emails)
        {
            var (state, holder) = states.GetValueOrDefault(email.Id, (None, null));
            if (state != email.State)
            {
                findings.InvalidEvents.Add(
                    $"email {email.Id} ({email.EntityId}): the events end in {state} but the stored state is " +
                    email.State);
            }
            else if (holder != email.AgentId && state is "Offered" or "Active" or "Wrap")
            {
                findings.InvalidEvents.Add(
                    $"email {email.Id} ({email.EntityId}): the events give it to {holder ?? None} but it is " +
                    $"stored with {email.AgentId ?? None}");
            }
        }
    }

    // Returns the state after the event, the same state for an event that changes none, or null when the event is
    // not allowed in the state. Transferred is always rejected, because the crash loop never transfers an email.
    private static string? Transition(string state, string type) => (state, type) switch
    {
        (None, "Received") => "Queued",
        (None, _) => null,
        (_, "Received") => null,
        ("Queued", "Offered") => "Offered",
        ("Offered", "Accepted") => "Active",
        ("Offered", "OfferDeclined" or "OfferExpired" or "OfferWithdrawn") => "Queued",
        ("Active", "WrapStarted") => "Wrap",
        ("Active" or "Wrap", "Completed") => "Completed",
        ("Queued" or "Offered" or "Active" or "Wrap", "Canceled") => "Canceled",
        (_, "Offered" or "Accepted" or "OfferDeclined" or "OfferExpired" or "OfferWithdrawn" or "WrapStarted"
            or "Completed" or "Canceled" or "Transferred") => null,
        _ => state,
    };

    private static void Hold(
        AuditFindings findings, Dictionary<string, int> loads, IReadOnlyDictionary<string, int> maxima,
        string? agentId, EventRow entry)
    {
        if (agentId is null)
        {
            return;
        }

        var load = loads.GetValueOrDefault(agentId) + 1;
        loads[agentId] = load;
        var max = maxima.GetValueOrDefault(agentId);
        if (load > max)
        {
            findings.OverMaximum.Add(
                $"{agentId} held {load} open emails at event {entry.Id} (Offered, email {entry.EmailId}); its " +
                $"maximum is {max}");
        }
    }
}
