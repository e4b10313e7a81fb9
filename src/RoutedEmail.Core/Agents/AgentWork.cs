using RoutedEmail.Core.Emails;

namespace RoutedEmail.Core.Agents;

/// <summary>What an agent has in hand: the status, pending offers and accepted emails.</summary>
/// <param name="Status">The agent's routing status.</param>
/// <param name="Offers">Offers waiting for the agent to accept, oldest first.</param>
/// <param name="Emails">Emails the agent accepted and has not completed, oldest first.</param>
/// <param name="OtherWorkCount">The agent's tasks on other channels, as last reported.</param>
/// <param name="AwayReason">The away reason code the agent gave while Away; null otherwise.</param>
public sealed record AgentWork(
    AgentStatus Status, IReadOnlyList<OfferDetails> Offers, IReadOnlyList<RoutedEmailDetails> Emails,
    int OtherWorkCount = 0, string? AwayReason = null);

/// <summary>A pending offer of one email to one agent.</summary>
/// <param name="OfferId">The server's identifier of the offer.</param>
/// <param name="ExpiresAt">When the offer times out if not accepted.</param>
/// <param name="ScreenPopUrl">The URL to open for the email, or null when its configuration has no template.</param>
/// <param name="Email">The offered email.</param>
public sealed record OfferDetails(long OfferId, DateTimeOffset ExpiresAt, string? ScreenPopUrl, RoutedEmailDetails Email);
