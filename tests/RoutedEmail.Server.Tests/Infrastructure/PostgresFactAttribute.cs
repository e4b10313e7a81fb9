namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// A test of behaviour only the PostgreSQL store has, such as several nodes on one database. It is skipped, with
/// the reason shown, when the suite runs against SQLite.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestStore.IsPostgres)
        {
            Skip = $"Tests several nodes on one PostgreSQL database; set {TestStore.Variable}=Postgres to run it.";
        }
    }
}
