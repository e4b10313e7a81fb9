namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// A test of behaviour only the SQLite store has, such as its database file in the data directory or its one writer.
/// It is skipped, with the reason shown, when the suite runs against PostgreSQL.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteFactAttribute : FactAttribute
{
    /// <param name="reason">The skip reason: why PostgreSQL has nothing to test here.</param>
    public SqliteFactAttribute(
        string reason = "Tests the SQLite store's data directory; PostgreSQL keeps its data in the database.")
    {
        if (TestStore.IsPostgres)
        {
            Skip = reason;
        }
    }
}
