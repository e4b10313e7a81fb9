using Microsoft.Data.Sqlite;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Checks that the crash loop's audit finds each kind of violation, on hand-made rows in an in-memory SQLite
/// database with the columns the audit reads, so a passing crash loop means something.
/// </summary>
public sealed class CrashAuditTests : IDisposable
{
    private const string Company = "audit";

    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public CrashAuditTests()
    {
        _connection.Open();
        Execute("""
            CREATE TABLE tenants (id INTEGER PRIMARY KEY, company_code TEXT);
            CREATE TABLE agents (tenant_id INTEGER, agent_id TEXT, max_concurrent_emails INTEGER);
            CREATE TABLE routed_emails (id INTEGER PRIMARY KEY, tenant_id INTEGER, entity_id TEXT, state TEXT,
                agent_id TEXT, closed_at INTEGER, work_code TEXT);
            CREATE TABLE offers (id INTEGER PRIMARY KEY, tenant_id INTEGER, email_id INTEGER, agent_id TEXT,
                state TEXT, created_at INTEGER, closed_at INTEGER);
            CREATE TABLE events (id INTEGER PRIMARY KEY, tenant_id INTEGER, type TEXT, email_id INTEGER,
                agent_id TEXT);
            INSERT INTO tenants VALUES (1, 'audit');
            INSERT INTO agents VALUES (1, 'a', 1), (1, 'b', 1);
            """);
    }

    [Fact]
    public async Task Audit_ConsistentHistory_FindsNothing()
    {
        AddEmail(1, "e-1", "Completed", "a", closedAt: 25);
        AddOffer(1, "a", "Accepted", 10, 20);
        AddEvents(1, ("Received", null), ("Offered", "a"), ("Accepted", "a"), ("WrapStarted", "a"),
            ("Completed", "a"));
        AddEmail(2, "e-2", "Queued", null);
        AddOffer(2, "b", "Expired", 30, 40);
        AddEvents(2, ("Received", null), ("Offered", "b"), ("OfferExpired", "b"));
        AddEmail(3, "e-3", "Offered", "a");
        AddOffer(3, "a", "Pending", 50, null);
        AddEvents(3, ("Received", null), ("Escalated", null), ("Offered", "a"));

        var findings = await RunAsync(["e-1", "e-2", "e-3"]);

        Assert.Empty(findings.Lost);
        Assert.Empty(findings.Duplicated);
        Assert.Empty(findings.Unknown);
        Assert.Empty(findings.OverlappingOffers);
        Assert.Empty(findings.OverMaximum);
        Assert.Empty(findings.InvalidStates);
        Assert.Empty(findings.InvalidEvents);
        Assert.Empty(findings.LostActions);
        Assert.Equal((3, 3, 11), findings.Counts);
    }

    [Fact]
    public async Task Audit_BrokenHistory_FindsEachViolation()
    {
        // Offered to a and then to b while a's offer was still pending.
        AddEmail(1, "e-twice", "Offered", "b");
        AddOffer(1, "a", "Pending", 10, null);
        AddOffer(1, "b", "Pending", 15, null);
        AddEvents(1, ("Received", null), ("Offered", "a"), ("Offered", "b"));

        // Agent a, with a maximum of 1, also holds this Active email.
        AddEmail(2, "e-second", "Active", "a");
        AddEvents(2, ("Received", null), ("Offered", "a"), ("Accepted", "a"));

        // The same entity id twice, and one never sent; neither row has events.
        AddEmail(3, "e-second", "Queued", null);
        AddEmail(4, "e-unknown", "Completed", null);

        // Agent b, with a maximum of 1, holds this email and e-twice now.
        AddEmail(5, "e-third", "Active", "b");
        AddEvents(5, ("Received", null), ("Offered", "b"), ("Accepted", "b"));

        var findings = await RunAsync(["e-twice", "e-second", "e-third", "e-lost"]);

        Assert.Equal(["e-lost"], findings.Lost);
        Assert.Equal(["e-second (2 emails)"], findings.Duplicated);
        Assert.Equal(["e-unknown"], findings.Unknown);
        Assert.Single(findings.OverlappingOffers);
        Assert.Contains(findings.OverMaximum, finding => finding.StartsWith("a held 2", StringComparison.Ordinal));
        Assert.Contains(findings.OverMaximum, finding => finding.StartsWith("b holds 2", StringComparison.Ordinal));
        Assert.Contains(findings.InvalidStates,
            finding => finding.Contains("2 pending offers", StringComparison.Ordinal));
        Assert.Contains(findings.InvalidStates, finding => finding.Contains("no close time", StringComparison.Ordinal));
        Assert.Contains(findings.InvalidEvents, finding => finding.Contains("Offered is not allowed in state Offered",
            StringComparison.Ordinal));
        Assert.Contains(findings.InvalidEvents, finding => finding.Contains("events end in (none)",
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_AcknowledgedActions_FindsEachLostOne()
    {
        // Offer 1 was accepted and its email completed with Resolved. Offer 2 was declined.
        AddEmail(1, "e-1", "Completed", "a", closedAt: 25, workCode: "Resolved");
        AddOffer(1, "a", "Accepted", 10, 20);
        AddEmail(2, "e-2", "Queued", null);
        AddOffer(2, "b", "Declined", 30, 40);
        // Offer 3 expired, and email 3 is still Active.
        AddEmail(3, "e-3", "Active", "b");
        AddOffer(3, "b", "Expired", 50, 60);

        var findings = await RunAsync(["e-1", "e-2", "e-3"],
        [
            new(AgentAction.Accept, AgentChannel.Hub, "a", 1),
            new(AgentAction.Complete, AgentChannel.Hub, "a", 1, "Resolved"),
            new(AgentAction.Decline, AgentChannel.Rest, "b", 2),
            new(AgentAction.Accept, AgentChannel.Hub, "b", 3),
            new(AgentAction.Complete, AgentChannel.Rest, "b", 3, "Resolved"),
            new(AgentAction.Complete, AgentChannel.Hub, "a", 1, "FollowUp"),
            new(AgentAction.Decline, AgentChannel.Hub, "a", 2),
            new(AgentAction.Accept, AgentChannel.Rest, "a", 99),
        ]);

        Assert.Equal(5, findings.LostActions.Count);
        Assert.Contains(findings.LostActions,
            finding => finding.Contains("offer 3 is stored as Expired to b", StringComparison.Ordinal));
        Assert.Contains(findings.LostActions,
            finding => finding.Contains("email 3 is stored as Active with b", StringComparison.Ordinal));
        Assert.Contains(findings.LostActions,
            finding => finding.Contains("has work code Resolved, not FollowUp", StringComparison.Ordinal));
        Assert.Contains(findings.LostActions,
            finding => finding.Contains("offer 2 is stored as Declined to b, not Declined to a",
                StringComparison.Ordinal));
        Assert.Contains(findings.LostActions,
            finding => finding.Contains("offer 99 is not stored", StringComparison.Ordinal));
    }

    public void Dispose() => _connection.Dispose();

    private Task<AuditFindings> RunAsync(string[] acknowledged, AcknowledgedAction[]? actions = null) =>
        CrashAudit.RunAsync(_connection, Company, new HashSet<string>(acknowledged), new HashSet<string>(acknowledged),
            actions ?? []);

    private void AddEmail(
        long id, string entityId, string state, string? agentId, long? closedAt = null, string? workCode = null) =>
        Execute("INSERT INTO routed_emails VALUES ($id, 1, $entity, $state, $agent, $closed, $code)",
            ("$id", id), ("$entity", entityId), ("$state", state), ("$agent", agentId), ("$closed", closedAt),
            ("$code", workCode));

    private void AddOffer(long emailId, string agentId, string state, long createdAt, long? closedAt) =>
        Execute("INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, closed_at) " +
            "VALUES (1, $email, $agent, $state, $created, $closed)",
            ("$email", emailId), ("$agent", agentId), ("$state", state), ("$created", createdAt),
            ("$closed", closedAt));

    private void AddEvents(long emailId, params (string Type, string? AgentId)[] events)
    {
        foreach (var (type, agentId) in events)
        {
            Execute("INSERT INTO events (tenant_id, type, email_id, agent_id) VALUES (1, $type, $email, $agent)",
                ("$type", type), ("$email", emailId), ("$agent", agentId));
        }
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }
}
