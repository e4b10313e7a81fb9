using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sqlite;

/// <summary>Migrates the SQLite database file.</summary>
internal sealed class SqliteStorageInitializer(SqliteDatabase database) : IStorageInitializer
{
    public string DataDirectory => database.DataDirectory;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        database.Migrate();
        return Task.CompletedTask;
    }
}
