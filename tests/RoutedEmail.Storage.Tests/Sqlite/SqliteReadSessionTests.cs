using RoutedEmail.Core.Tenants;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

/// <summary>
/// The kept read sessions and the per-request reads of ingest that run on them. A kept session keeps prepared
/// statements, never rows, so every test here changes the data between two reads on the same session and expects
/// the second read to return the change.
/// </summary>
public sealed class SqliteReadSessionTests
{
    [Fact]
    public async Task OpenSession_SecondRent_ReusesPreparedCommand()
    {
        await using var database = TestDatabase.Create();
        const string sql = "SELECT COUNT(*) FROM tenants";

        SqlSession first;
        System.Data.Common.DbCommand firstCommand;
        using (first = database.Database.OpenSession())
        {
            firstCommand = first.Command(sql);
            firstCommand.ExecuteScalar();
        }

        using var second = database.Database.OpenSession();
        var secondCommand = second.Command(sql);

        Assert.Same(first, second);
        Assert.Same(firstCommand, secondCommand);
        Assert.Empty(secondCommand.Parameters);
    }

    [Fact]
    public async Task OpenSession_MoreThanKept_ClosesSurplus()
    {
        await using var database = TestDatabase.Create();
        var sessions = Enumerable.Range(0, SqliteSessionPool.MaxIdleSessions + 2)
            .Select(_ => database.Database.OpenSession()).ToList();

        foreach (var session in sessions)
        {
            session.Dispose();
        }

        Assert.Equal(SqliteSessionPool.MaxIdleSessions, sessions.Count(session => session.IsReusable));
    }

    [Fact]
    public async Task OpenSession_AfterDispose_Throws()
    {
        await using var database = TestDatabase.Create();
        var kept = database.Database.OpenSession();
        kept.Dispose();

        database.Database.Dispose();

        Assert.False(kept.IsReusable);
        Assert.Throws<ObjectDisposedException>(() => database.Database.OpenSession());
    }

    [Fact]
    public async Task FindOwnerRoutingAsync_AdminChangesBetweenReads_ReturnsEachChange()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Billing");
        await PutConfigurationAsync(database, tenantId, "owner-1", "Sales");
        var lifecycle = new SqlResourceLifecycleStore(database.Database, database.Time);

        var first = await FindAsync(database, tenantId, "owner-1", "owner-2");
        await lifecycle.SetEnabledAsync(
            tenantId, AdministeredResource.Configuration, "owner-1", false, "admin", CancellationToken.None);
        var configurationDisabled = await FindAsync(database, tenantId, "owner-1");
        await lifecycle.SetEnabledAsync(
            tenantId, AdministeredResource.SkillQueue, "Sales", false, "admin", CancellationToken.None);
        var queueDisabled = await FindAsync(database, tenantId, "owner-1");
        await PutConfigurationAsync(database, tenantId, "owner-1", "Billing");
        var moved = await FindAsync(database, tenantId, "owner-1");

        Assert.Equal(["owner-1"], first.Configurations.Keys);
        Assert.True(first.Configurations["owner-1"].Enabled);
        Assert.Empty(first.DisabledSkillQueues);
        Assert.False(configurationDisabled.Configurations["owner-1"].Enabled);
        Assert.Empty(configurationDisabled.DisabledSkillQueues);
        Assert.Equal(["Sales"], queueDisabled.DisabledSkillQueues);
        Assert.Equal("Billing", moved.Configurations["owner-1"].SkillQueue);
        Assert.Empty(moved.DisabledSkillQueues);
    }

    [Fact]
    public async Task FindCredentialsAsync_KeyReplacedBetweenReads_ReturnsNewHash()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var expires = database.Time.GetUtcNow().AddHours(2);

        var before = await database.Tenants.FindCredentialsAsync("acme", "prod", CancellationToken.None);
        await database.Tenants.ReplaceApiKeyAsync(tenantId, [9, 9, 9], expires, CancellationToken.None);
        var after = await database.Tenants.FindCredentialsAsync("ACME", "prod", CancellationToken.None);

        Assert.NotNull(before);
        Assert.Equal([1, 2, 3], before.ApiKeyHash);
        Assert.Null(before.PreviousApiKeyHash);
        Assert.NotNull(after);
        Assert.Equal([9, 9, 9], after.ApiKeyHash);
        Assert.Equal([1, 2, 3], after.PreviousApiKeyHash);
        Assert.Equal(expires, after.PreviousApiKeyExpiresAt);
    }

    private static Task<OwnerRouting> FindAsync(TestDatabase database, long tenantId, params string[] owners) =>
        database.Configuration.FindOwnerRoutingAsync(tenantId, owners, CancellationToken.None);

    private static async Task PutConfigurationAsync(
        TestDatabase database, long tenantId, string ownerId, string queue)
    {
        var outcome = await database.Configuration.PutConfigurationAsync(
            tenantId, new RoutedEmailConfiguration(ownerId, queue, 0, true, "", null), CancellationToken.None);
        Assert.True(outcome.Succeeded);
    }
}
