using Microsoft.Extensions.DependencyInjection.Extensions;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Cluster;

/// <summary>Registers the signals between nodes that share a PostgreSQL database.</summary>
internal static class ClusterSetup
{
    /// <summary>
    /// With <c>Storage:Provider=Postgres</c>, wraps the agent notifier, the routing trigger and the deadline signal
    /// so that each also notifies the other nodes, publishes committed events to them, and adds the publisher and the
    /// listener. With SQLite it does
    /// nothing, because one process owns the database file. Call it after the services it wraps are registered.
    /// </summary>
    public static void AddCluster(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"];
        if (!string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var services = builder.Services;
        services.AddSingleton<ClusterPublisher>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterPublisher>());
        services.AddSingleton<IEventCommitObserver, ClusterEventCommitObserver>();
        services.AddSingleton<ClusterListener>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterListener>());
        services.Replace(ServiceDescriptor.Singleton(provider =>
            new DeadlineSignal(provider.GetRequiredService<ClusterPublisher>().PublishDeadlinesChanged)));
        services.Replace(ServiceDescriptor.Singleton<IRoutingTrigger, ClusterRoutingTrigger>());
        services.Replace(ServiceDescriptor.Singleton<IAgentNotifier, ClusterAgentNotifier>());
    }
}
