using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage;

/// <summary>Registers the store chosen by <c>Storage:Provider</c>.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds the stores and binds <see cref="StorageOptions"/> from the <c>Storage</c> section.</summary>
    /// <exception cref="InvalidOperationException">The provider is not supported.</exception>
    public static IServiceCollection AddRoutedEmailStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageOptions.SectionName);
        services.Configure<StorageOptions>(section);
        var provider = section[nameof(StorageOptions.Provider)] ?? "Sqlite";
        if (string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<SqliteDatabase>();
            services.AddSingleton<SqlDatabase>(services => services.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<IIngestStore, SqliteIngestWriter>();
            services.AddSingleton<IStorageInitializer, SqliteStorageInitializer>();
        }
        else if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<PostgresDatabase>();
            services.AddSingleton<SqlDatabase>(services => services.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<PostgresMigrator>();
            services.AddSingleton<IIngestStore, PostgresIngestStore>();
            services.AddSingleton<IStorageInitializer, PostgresStorageInitializer>();
        }
        else
        {
            throw new InvalidOperationException(
                $"Storage:Provider is \"{provider}\", which is not supported. Set it to \"Sqlite\" (the default) " +
                "or \"Postgres\".");
        }

        // The same SQL runs on both databases.
        services.AddSingleton<ITenantStore, SqlTenantStore>();
        services.AddSingleton<ITenantKeyStore, SqlTenantKeyStore>();
        services.AddSingleton<IConfigurationStore, SqlConfigurationStore>();
        services.AddSingleton<IRoutedEmailStore, SqlRoutedEmailStore>();
        services.AddSingleton<IAgentStore, SqlAgentStore>();
        services.AddSingleton<IAgentActivityStore, SqlAgentActivityStore>();
        services.AddSingleton<INodeStore, SqlNodeStore>();
        services.AddSingleton<IAwayReasonStore, SqlAwayReasonStore>();
        // The SQLite ingest writer routes new email with the same store, and so with the same copy of the routable
        // agents, as the routing steps.
        services.AddSingleton<SqlRoutingStore>();
        services.AddSingleton<IRoutingStore>(services => services.GetRequiredService<SqlRoutingStore>());
        services.AddSingleton<IExplanationStore, SqlExplanationStore>();
        services.AddSingleton<IUserStore, SqlUserStore>();
        services.AddSingleton<IResourceLifecycleStore, SqlResourceLifecycleStore>();
        services.AddSingleton<IDashboardStore, SqlDashboardStore>();
        services.AddSingleton<IDashboardSampleStore, SqlDashboardSampleStore>();
        services.AddSingleton<IIntervalReportStore, SqlIntervalReportStore>();
        services.AddSingleton<IEventFeedStore, SqlEventFeedStore>();
        services.AddSingleton<IntervalReportReader>();
        services.AddSingleton<IRetentionStore, SqlRetentionStore>();
        return services;
    }
}
