using RoutedEmail.Core.Routing;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The routing inputs an offer was made on, stored as the JSON detail of its <c>Offered</c> event so that the
/// explanation endpoints can report later why the agent was chosen.
/// </summary>
/// <param name="Queue">The queue the email was offered from.</param>
/// <param name="Rank">The agent's rank for that queue.</param>
/// <param name="EmailsHeld">The emails the agent held just before the offer.</param>
/// <param name="IdleSince">When the agent had last become Available or freed a slot.</param>
internal sealed record OfferRoutingInputs(string Queue, int Rank, int EmailsHeld, DateTimeOffset IdleSince)
{
    /// <summary>Serializes the inputs of the chosen agent for a queue, or returns null when there is no agent.</summary>
    public static string? ToDetail(RoutableAgent? agent, string queue) =>
        agent is null
            ? null
            : SqlCommands.ToJson(new OfferRoutingInputs(queue, agent.Ranks[queue], agent.Load, agent.IdleSince));
}
