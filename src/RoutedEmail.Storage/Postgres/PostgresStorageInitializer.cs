using Microsoft.Extensions.Options;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Postgres;

/// <summary>
/// Migrates the PostgreSQL database at start. The data directory still contains the admin token file.
/// </summary>
internal sealed class PostgresStorageInitializer(PostgresMigrator migrator, IOptions<StorageOptions> options)
    : IStorageInitializer
{
    public string DataDirectory { get; } = Path.GetFullPath(options.Value.DataDirectory);

    public Task InitializeAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);
}
