using DbUp;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Core.Users;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteUserStoreTests
{
    private static readonly UserRole[] AgentRole = [UserRole.Agent];

    [Fact]
    public async Task Migration_ExistingAgent_BecomesAgentUser()
    {
        await using var database = TestDatabase.CreateUnmigrated();
        MigrateBefore(database.Database, "0016_users");
        var tenantId = await database.CreateTenantAsync();
        database.Execute(
            """
            INSERT INTO agents (tenant_id, agent_id, display_name, password_hash, max_concurrent_emails, status,
                                status_since, idle_since)
            VALUES ($tenant, 'maria', 'Maria', 'stored-hash', 1, 'Offline', 0, 0)
            """, ("$tenant", tenantId));
        database.Execute(
            """
            INSERT INTO agent_sessions (token_hash, tenant_id, agent_id, created_at, expires_at)
            VALUES (X'0102', $tenant, 'maria', 0, $expires)
            """, ("$tenant", tenantId), ("$expires", TestDatabase.Start.AddHours(1).ToUnixTimeMilliseconds()));

        database.Database.Migrate();
        var users = new SqlUserStore(database.Database, database.Time);
        var credentials = await users.FindCredentialsAsync(tenantId, "maria", CancellationToken.None);
        var session = await database.Agents.FindSessionAsync([1, 2], CancellationToken.None);

        Assert.NotNull(credentials);
        Assert.Equal("stored-hash", credentials.PasswordHash);
        Assert.Equal(UserRole.Agent, Assert.Single(credentials.Roles));
        Assert.True(credentials.Enabled);
        Assert.Equal("maria", session?.AgentId);
    }

    [Fact]
    public async Task PutUser_AgentRole_CreatesAgent()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        var users = new SqlUserStore(database.Database, database.Time);

        var outcome = await users.PutUserAsync(
            tenantId, new UserDefinition("maria", "Maria", AgentRole), "hash", CancellationToken.None);
        var agent = await database.Configuration.GetAgentAsync(tenantId, "maria", CancellationToken.None);
        var hash = await database.Agents.FindPasswordHashAsync(tenantId, "maria", CancellationToken.None);

        Assert.True(outcome.Created);
        Assert.NotNull(agent);
        Assert.Empty(agent.SkillQueues);
        Assert.Equal(AgentStatus.Offline, agent.Status);
        Assert.Equal("hash", hash);
    }

    [Fact]
    public async Task DisableUser_Agent_EndsSessions()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "maria", 1, ("Sales", 1));
        await database.Agents.CreateSessionAsync(
            tenantId, "maria", [7], TestDatabase.Start.AddHours(1), CancellationToken.None);
        await database.SetStatusAsync(tenantId, "maria", AgentStatus.Available);
        var users = new SqlUserStore(database.Database, database.Time);

        var outcome = await users.SetUserEnabledAsync(tenantId, "maria", false, "operator", CancellationToken.None);
        var again = await users.SetUserEnabledAsync(tenantId, "maria", false, "operator", CancellationToken.None);
        var session = await database.Agents.FindSessionAsync([7], CancellationToken.None);
        var hash = await database.Agents.FindPasswordHashAsync(tenantId, "maria", CancellationToken.None);
        var agent = await database.Configuration.GetAgentAsync(tenantId, "maria", CancellationToken.None);

        Assert.Equal(LifecycleStatus.Done, outcome.Status);
        Assert.Equal(LifecycleStatus.Unchanged, again.Status);
        Assert.Null(session);
        Assert.Null(hash);
        Assert.Equal(AgentStatus.Offline, agent!.Status);
    }

    [Fact]
    public async Task DeleteAgent_PendingOffer_HasOpenEmails()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutAgentAsync(tenantId, "maria", 1, ("Sales", 1));
        await database.SetStatusAsync(tenantId, "maria", AgentStatus.Available);
        await database.QueueEmailAsync(tenantId, "e1");
        await database.RouteAsync(tenantId);
        var users = new SqlUserStore(database.Database, database.Time);

        var outcome = await users.DeleteAgentAsync(tenantId, "maria", "operator", CancellationToken.None);

        Assert.Equal(LifecycleStatus.HasOpenEmails, outcome.Status);
        Assert.Equal(1, outcome.OpenEmails);
    }

    [Fact]
    public async Task DeleteQueue_OpenEmail_HasOpenEmails()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.QueueEmailAsync(tenantId, "e1");
        var lifecycle = new SqlResourceLifecycleStore(database.Database, database.Time);

        var outcome = await lifecycle.DeleteAsync(
            tenantId, AdministeredResource.SkillQueue, "Sales", "operator", CancellationToken.None);

        Assert.Equal(LifecycleStatus.HasOpenEmails, outcome.Status);
        Assert.Equal(1, outcome.OpenEmails);
    }

    [Fact]
    public async Task DisableQueue_Listed_AsDisabled()
    {
        await using var database = TestDatabase.Create();
        var tenantId = await database.CreateTenantAsync();
        await database.PutQueueAsync(tenantId, "Sales");
        await database.PutQueueAsync(tenantId, "Parts");
        var lifecycle = new SqlResourceLifecycleStore(database.Database, database.Time);

        await lifecycle.SetEnabledAsync(
            tenantId, AdministeredResource.SkillQueue, "Sales", false, "operator", CancellationToken.None);
        var disabled = await lifecycle.FindDisabledSkillQueuesAsync(
            tenantId, ["Sales", "Parts", "Unknown"], CancellationToken.None);
        var queue = await database.Configuration.GetSkillQueueAsync(tenantId, "Sales", CancellationToken.None);

        Assert.Equal("Sales", Assert.Single(disabled));
        Assert.False(queue!.Enabled);
    }

    /// <summary>Applies every SQLite migration script before the named one, as an older release would have.</summary>
    internal static void MigrateBefore(SqliteDatabase database, string scriptName)
    {
        var upgrade = DeployChanges.To
            .SqliteDatabase($"Data Source={database.FilePath}")
            .WithScriptsEmbeddedInAssembly(typeof(SqliteDatabase).Assembly, name =>
                name.Contains(".Migrations.Sqlite.", StringComparison.Ordinal)
                && string.CompareOrdinal(name[(name.IndexOf(".Migrations.Sqlite.", StringComparison.Ordinal) + 19)..],
                    scriptName) < 0)
            .WithTransaction()
            .Build();
        Assert.True(upgrade.PerformUpgrade().Successful);
    }
}
