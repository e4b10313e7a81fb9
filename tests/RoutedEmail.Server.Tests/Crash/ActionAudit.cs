namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Checks that every agent action that returned success, over REST or the agent hub, is in the database: an
/// accepted offer is Accepted and a declined one Declined, each to the agent that sent the action. A completed
/// email is in Wrap or Completed with that agent and the work code sent.
/// </summary>
internal static class ActionAudit
{
    /// <summary>Adds each acknowledged action whose result is missing to the lost actions.</summary>
    public static void Check(
        AuditFindings findings, IReadOnlyList<EmailRow> emails, IReadOnlyList<OfferRow> offers,
        IReadOnlyCollection<AcknowledgedAction> actions)
    {
        var offersById = offers.ToDictionary(offer => offer.Id);
        var emailsById = emails.ToDictionary(email => email.Id);
        foreach (var action in actions)
        {
            var problem = action.Action == AgentAction.Complete
                ? FindCompleteProblem(action, emailsById.GetValueOrDefault(action.Id))
                : FindOfferProblem(action, offersById.GetValueOrDefault(action.Id));
            if (problem is not null)
            {
                findings.LostActions.Add(
                    $"{action.Action} of {action.AgentId} over {action.Channel} returned success, but {problem}");
            }
        }
    }

    private static string? FindOfferProblem(AcknowledgedAction action, OfferRow? offer)
    {
        var expected = action.Action == AgentAction.Accept ? "Accepted" : "Declined";
        if (offer is null)
        {
            return $"offer {action.Id} is not stored";
        }

        return offer.State == expected && offer.AgentId == action.AgentId
            ? null
            : $"offer {action.Id} is stored as {offer.State} to {offer.AgentId}, not {expected} to {action.AgentId}";
    }

    private static string? FindCompleteProblem(AcknowledgedAction action, EmailRow? email)
    {
        if (email is null)
        {
            return $"email {action.Id} is not stored";
        }

        if (email.State is not ("Wrap" or "Completed") || email.AgentId != action.AgentId)
        {
            return $"email {action.Id} is stored as {email.State} with {email.AgentId ?? "no agent"}, not Wrap or " +
                $"Completed with {action.AgentId}";
        }

        return email.WorkCode == action.WorkCode
            ? null
            : $"email {action.Id} has work code {email.WorkCode ?? "(none)"}, not {action.WorkCode}";
    }
}
