namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// A test of behaviour only the SQLite store has, such as its database file in the data directory. It is skipped,
/// with the reason shown, when the suite runs against PostgreSQL.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute()
    {
        if (TestStore.IsPostgres)
        {
            Skip = "Tests the SQLite store's data directory; PostgreSQL keeps its data in the database.";
        }
    }
}
