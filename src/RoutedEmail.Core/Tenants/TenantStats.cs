namespace RoutedEmail.Core.Tenants;

/// <summary>A tenant's live counts.</summary>
/// <param name="Queues">Counts per skill queue, by name.</param>
/// <param name="Agents">Number of agents per status, with every status present.</param>
public sealed record TenantStats(IReadOnlyList<QueueStats> Queues, IReadOnlyDictionary<string, int> Agents);

/// <summary>Counts of open email in one skill queue.</summary>
/// <param name="Name">The skill queue's name.</param>
/// <param name="Waiting">Emails in state Queued.</param>
/// <param name="Offered">Emails in state Offered.</param>
/// <param name="Active">Emails in state Active.</param>
/// <param name="Wrap">Emails in state Wrap.</param>
/// <param name="Unattended">
/// True while the queue has waiting email and no agent whose status is not Offline has it in its routing profile,
/// as of the tenant's last routing step.
/// </param>
public sealed record QueueStats(string Name, int Waiting, int Offered, int Active, int Wrap, bool Unattended);
