namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteDatabaseTests
{
    [Fact]
    public async Task Constructor_MissingDataDirectory_CreatesDirectory()
    {
        await using var database = TestDatabase.CreateUnmigrated();

        Assert.True(Directory.Exists(database.DataDirectory));
    }

    [Fact]
    public async Task Constructor_MissingDataDirectory_CreatesItOwnerOnly()
    {
        await using var database = TestDatabase.CreateUnmigrated();

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(database.DataDirectory);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode);
        }
    }

    [Fact]
    public async Task Migrate_NewDirectory_CreatesDatabaseFile()
    {
        await using var database = TestDatabase.CreateUnmigrated();

        database.Database.Migrate();

        Assert.True(File.Exists(database.Database.FilePath));
        Assert.Equal(database.DataDirectory, Path.GetDirectoryName(database.Database.FilePath));
    }

    [Fact]
    public async Task Migrate_NewDirectory_SetsWalJournalMode()
    {
        await using var database = TestDatabase.Create();

        // The journal mode is a property of the file, so a new connection must report it too.
        var journalMode = database.QueryString("PRAGMA journal_mode");

        Assert.Equal("wal", journalMode);
    }

    [Fact]
    public async Task Migrate_NewDirectory_CreatesEveryTable()
    {
        await using var database = TestDatabase.Create();
        string[] expected =
        [
            "agent_skills", "agents", "events", "offers", "routed_email_configurations", "routed_emails",
            "skill_queues", "tenants", "user_sessions", "users",
        ];

        foreach (var table in expected)
        {
            var count = database.QueryLong(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name", ("$name", table));
            Assert.True(count == 1, $"Table {table} is missing after Migrate.");
        }
    }

    [Fact]
    public async Task Migrate_Twice_KeepsDataAndAppliesNothingNew()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var objectsBefore = database.QueryLong("SELECT COUNT(*) FROM sqlite_master");

        database.Database.Migrate();

        Assert.Equal(objectsBefore, database.QueryLong("SELECT COUNT(*) FROM sqlite_master"));
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM tenants WHERE id = $id", ("$id", tenantId)));
        Assert.Equal("wal", database.QueryString("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Open_AnyConnection_HasSynchronousFull()
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";

        // 2 is FULL: every commit waits for the write-ahead log to reach the disk.
        Assert.Equal(2L, command.ExecuteScalar());
    }

    [Fact]
    public async Task Open_AnyConnection_HasForeignKeysOn()
    {
        await using var database = TestDatabase.Create();
        using var connection = database.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys";

        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public async Task Open_RowWithUnknownTenant_ViolatesForeignKey()
    {
        await using var database = TestDatabase.Create();

        var exception = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => database.Execute(
            """
            INSERT INTO skill_queues (tenant_id, name, offer_timeout_seconds, wrap_seconds, service_level_seconds,
                                      work_code_groups, work_code_required)
            VALUES (999, 'Sales', 60, 0, 3600, '[]', 0)
            """));

        // 787 is SQLITE_CONSTRAINT_FOREIGNKEY.
        Assert.Equal(787, exception.SqliteExtendedErrorCode);
    }
}
