namespace RoutedEmail.Storage.Abstractions;

/// <summary>Routing steps: offering waiting email to routable agents in one transaction.</summary>
public interface IRoutingStore
{
    /// <summary>Lists the ids of every tenant, so routing can resume for each after a start.</summary>
    Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Offers waiting email to Available agents of a tenant until no agent below its maximum serves a queue with
    /// waiting email. Each offer and its event are committed before this returns.
    /// </summary>
    /// <returns>The offers made.</returns>
    Task<IReadOnlyList<OfferMade>> RouteAsync(long tenantId, CancellationToken cancellationToken);
}

/// <summary>An offer created by a routing step.</summary>
/// <param name="OfferId">The offer's id.</param>
/// <param name="EmailId">The offered email.</param>
/// <param name="EntityId">The offered email's entity id.</param>
/// <param name="AgentId">The agent it is offered to.</param>
public sealed record OfferMade(long OfferId, long EmailId, string EntityId, string AgentId);
