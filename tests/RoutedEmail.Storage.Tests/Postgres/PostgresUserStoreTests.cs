using DbUp;
using DbUp.Postgresql;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Postgres;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>The user store and migration 0008 on PostgreSQL, the twins of <see cref="SqliteUserStoreTests"/>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUserStoreTests(PostgresCluster cluster)
{
    private static readonly UserRole[] SupervisorAndAgent = [UserRole.Supervisor, UserRole.Agent];

    [Fact]
    public async Task Migration_ExistingAgent_BecomesAgentUser()
    {
        await using var database = await PostgresTestDatabase.CreateUnmigratedAsync(cluster);
        var upgrade = DeployChanges.To
            .PostgresqlDatabase(new PostgresqlConnectionManager(database.Database.DataSource))
            .WithScriptsEmbeddedInAssembly(typeof(PostgresMigrator).Assembly, name =>
                name.Contains(".Migrations.Postgres.", StringComparison.Ordinal)
                && !name.EndsWith("0008_users.sql", StringComparison.Ordinal))
            .WithTransaction()
            .Build();
        Assert.True(upgrade.PerformUpgrade().Successful);
        var tenantId = await database.CreateTenantAsync();
        await database.ExecuteAsync(
            """
            INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails, status,
                                status_since, idle_since)
            VALUES (@tenant, 'maria', 'Maria', 'stored-hash', 1, 'Offline', 0, 0)
            """, ("tenant", tenantId));
        await database.ExecuteAsync(
            """
            INSERT INTO agent_sessions (token_hash, tenant_id, agent_id, created_at, expires_at)
            VALUES ('\x0102', @tenant, 'maria', 0, @expires)
            """, ("tenant", tenantId), ("expires", TestDatabase.Start.AddHours(1).ToUnixTimeMilliseconds()));

        var applied = await database.CreateMigrator().MigrateAsync(CancellationToken.None);
        var users = new SqlUserStore(database.Database, database.Time);
        var agents = new SqlAgentStore(database.Database, database.Time);
        var credentials = await users.FindCredentialsAsync(tenantId, "maria", CancellationToken.None);
        var session = await agents.FindSessionAsync([1, 2], CancellationToken.None);

        Assert.Equal(1, applied);
        Assert.NotNull(credentials);
        Assert.Equal("stored-hash", credentials.PasswordHash);
        Assert.Equal(UserRole.Agent, Assert.Single(credentials.Roles));
        Assert.True(credentials.Enabled);
        Assert.Equal("maria", session?.AgentId);
    }

    [Fact]
    public async Task UserLifecycle_PutDisableDelete_Applied()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var users = new SqlUserStore(database.Database, database.Time);

        var put = await users.PutUserAsync(
            tenantId, new UserDefinition("sam", "Sam", SupervisorAndAgent), "hash", CancellationToken.None);
        await users.CreateSessionAsync(tenantId, "sam", [9], TestDatabase.Start.AddHours(1), CancellationToken.None);
        var session = await users.FindSessionAsync([9], CancellationToken.None);
        var disabled = await users.SetUserEnabledAsync(tenantId, "sam", false, "operator", CancellationToken.None);
        var afterDisable = await users.FindSessionAsync([9], CancellationToken.None);
        var deleted = await users.DeleteUserAsync(tenantId, "sam", "operator", CancellationToken.None);
        var afterDelete = await users.GetUserAsync(tenantId, "sam", CancellationToken.None);
        var agent = await database.QueryScalarAsync("SELECT 1 FROM agents WHERE agent_id = 'sam'");

        Assert.True(put.Created);
        Assert.Equal([UserRole.Agent, UserRole.Supervisor], session!.Roles);
        Assert.Equal(LifecycleStatus.Done, disabled.Status);
        Assert.Null(afterDisable);
        Assert.Equal(LifecycleStatus.Done, deleted.Status);
        Assert.Null(afterDelete);
        Assert.Null(agent);
    }

    [Fact]
    public async Task DisableQueue_Listed_AsDisabled()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        await configuration.PutSkillQueueAsync(
            tenantId, new Core.Tenants.SkillQueue("Sales", 60, 0, 3600, [], false), CancellationToken.None);
        var lifecycle = new SqlResourceLifecycleStore(database.Database, database.Time);

        var outcome = await lifecycle.SetEnabledAsync(
            tenantId, AdministeredResource.SkillQueue, "Sales", false, "operator", CancellationToken.None);
        var disabled = await lifecycle.FindDisabledSkillQueuesAsync(tenantId, ["Sales"], CancellationToken.None);
        var deleted = await lifecycle.DeleteAsync(
            tenantId, AdministeredResource.SkillQueue, "Sales", "operator", CancellationToken.None);

        Assert.Equal(LifecycleStatus.Done, outcome.Status);
        Assert.Equal("Sales", Assert.Single(disabled));
        Assert.Equal(LifecycleStatus.Done, deleted.Status);
    }

    [Fact]
    public async Task DisableUser_Agent_SetsOffline()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var tenantId = await database.CreateTenantAsync();
        var configuration = new SqlConfigurationStore(database.Database, database.Time);
        await configuration.PutAgentAsync(
            tenantId, new AgentDefinition("maria", "Maria", 1, []), "hash", CancellationToken.None);
        var agents = new SqlAgentStore(database.Database, database.Time);
        await agents.SetStatusAsync(tenantId, "maria", AgentStatus.Available, CancellationToken.None);
        var users = new SqlUserStore(database.Database, database.Time);

        await users.SetUserEnabledAsync(tenantId, "maria", false, "user:ana", CancellationToken.None);
        var agent = await configuration.GetAgentAsync(tenantId, "maria", CancellationToken.None);
        var hash = await agents.FindPasswordHashAsync(tenantId, "maria", CancellationToken.None);

        Assert.Equal(AgentStatus.Offline, agent!.Status);
        Assert.Null(hash);
    }
}
