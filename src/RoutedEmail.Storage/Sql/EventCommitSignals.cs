using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Calls the registered <see cref="IEventCommitObserver"/>s after a commit that numbered events.</summary>
internal static class EventCommitSignals
{
    /// <summary>Turns the registered observers into an array, which a commit walks without allocating.</summary>
    public static IEventCommitObserver[] ToArray(IEnumerable<IEventCommitObserver>? observers) =>
        observers is null ? [] : [.. observers];

    /// <summary>Calls every observer once per tenant. Call it only after the commit returned.</summary>
    public static void Signal(IEventCommitObserver[] observers, List<long> tenantIds)
    {
        for (var o = 0; o < observers.Length; o++)
        {
            for (var t = 0; t < tenantIds.Count; t++)
            {
                observers[o].EventsCommitted(tenantIds[t]);
            }
        }
    }

    /// <summary>Calls every observer for one tenant. Call it only after the commit returned.</summary>
    public static void Signal(IEventCommitObserver[] observers, long tenantId)
    {
        for (var o = 0; o < observers.Length; o++)
        {
            observers[o].EventsCommitted(tenantId);
        }
    }
}
