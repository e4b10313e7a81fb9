using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using RoutedEmail.Storage.Sqlite;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Kills the server with SIGKILL at a chosen moment of each cycle, while ingest load and agents (accepting, declining
/// and completing with work codes) run at the same time. Two agents use the REST agent API, and two the agent hub,
/// whose connections reconnect on their own after each restart. Some kills are aimed inside a routing step and
/// some right after an accept is sent. Each restart uses the same SQLite data directory or PostgreSQL database and
/// the same port. After the last cycle an audit reads the database itself. It checks that every acknowledged
/// entity id is stored exactly once, that no email was offered to two agents and that no agent exceeded its maximum.
/// It also checks that every email's state and events fit the lifecycle, and that every agent action that returned
/// success is stored. An email sent after the final restart must reach an agent.
/// </summary>
/// <remarks>
/// The store follows <see cref="TestStore"/>, so <c>scripts/test</c> runs the loop on both. Only the server process
/// is killed, never PostgreSQL. SIGKILL does not stop the operating system, so like
/// <see cref="CrashRecoveryTests"/> this proves that acknowledgments follow commits, not that commits reach the disk.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class CrashLoopTests(ITestOutputHelper output)
{
    /// <summary>The environment variable that sets the number of kill and restart cycles. The default is 3.</summary>
    public const string CyclesVariable = "ROUTED_EMAIL_CRASH_CYCLES";

    private const int DefaultCycles = 3;

    // How long the hub agents may take to reconnect once the restarted server has acknowledged the re-sent batches.
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CrashLoop_RandomKills_AuditFindsNoViolation()
    {
        var cycles = CrashRecoveryTests.ReadSetting(CyclesVariable, DefaultCycles);
        var seed = CrashRecoveryTests.ReadSetting(
            CrashRecoveryTests.SeedVariable, Random.Shared.Next(1, int.MaxValue));
        var store = TestStore.IsPostgres ? "PostgreSQL" : "SQLite";
        output.WriteLine($"{cycles} cycles on {store} with seed {seed}; set {CrashRecoveryTests.SeedVariable}=" +
            $"{seed} to repeat them.");
        var random = new Random(seed);
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-crash-loop-").FullName;
        var settings = await SettingsForAsync(dataDirectory);
        var ledger = new IngestLedger();
        var agentLedger = new AgentLedger();
        ServerProcess? server = null;
        HubAgentLoad? hubAgents = null;
        var passed = false;
        try
        {
            server = await ServerProcess.StartAsync(dataDirectory, settings);

            // Every restart listens on the first process's port, so the hub agents' automatic reconnect finds it.
            // NOTE: a restart fails if another socket took the port while the server was down, because the kernel
            // gives outgoing connections ports from the same range.
            settings["urls"] = server.BaseAddress.GetLeftPart(UriPartial.Authority);
            CrashLoopTenant tenant;
            using (var admin = server.CreateClient())
            {
                tenant = await CrashLoopTenant.CreateAsync(admin);
            }

            hubAgents = await HubAgentLoad.ConnectAsync(
                server.BaseAddress, tenant.HubAgentTokens, random.Next(), agentLedger);
            var agentErrors = new List<string>();
            var reports = new List<CycleReport>();
            var reconnectWaits = new List<long>();
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                // The hub agents reconnect on their own while the unanswered batches are re-sent.
                var context = $"Cycle {cycle} of {cycles}, seed {seed}";
                using (var http = server.CreateClient())
                {
                    await ledger.ResendUnansweredAsync(new TenantClient(http, tenant.Credentials), context);
                }

                reconnectWaits.Add(await WaitForHubAgentsAsync(hubAgents, context));

                var (report, errors) = await CrashCycle.RunAsync(
                    server, tenant, ledger, hubAgents, cycle, random, context);
                output.WriteLine(report.Describe());
                reports.Add(report);
                agentErrors.AddRange(errors);
                await server.DisposeAsync();
                server = null;
                server = await ServerProcess.StartAsync(dataDirectory, settings);
            }

            using (var http = server.CreateClient())
            {
                await ledger.ResendUnansweredAsync(new TenantClient(http, tenant.Credentials), "After the last cycle");
            }

            reconnectWaits.Add(await WaitForHubAgentsAsync(hubAgents, "After the last cycle"));

            var finalEntityId = await tenant.RouteOneEmailAsync(server);
            ledger.Record([finalEntityId], acknowledged: true);
            await server.DisposeAsync();
            server = null;
            await hubAgents.DisposeAsync();
            agentErrors.AddRange(hubAgents.Errors);
            output.WriteLine(Summarize(reports, hubAgents, agentLedger));
            output.WriteLine("After each restart and its re-sent batches, the test waited " +
                $"{string.Join(", ", reconnectWaits)} ms for the hub agents to connect.");
            hubAgents = null;

            Assert.True(agentErrors.Count == 0,
                $"Seed {seed}: agents got {agentErrors.Count} unexpected responses, such as " +
                string.Join("; ", agentErrors.Take(3)));
            await AuditAsync(dataDirectory, settings, tenant, ledger, agentLedger, cycles, seed);
            passed = true;
        }
        finally
        {
            if (hubAgents is not null)
            {
                await hubAgents.DisposeAsync();
            }

            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await CleanUpAsync(dataDirectory, passed);
        }
    }

    // Returns how long the test waited for the hub agents to connect, after the server was ready and the re-sent
    // batches were acknowledged.
    private static async Task<long> WaitForHubAgentsAsync(HubAgentLoad hubAgents, string context)
    {
        var waited = Stopwatch.StartNew();
        var missing = await hubAgents.WaitUntilConnectedAsync(ReconnectTimeout);
        Assert.True(missing.Count == 0,
            $"{context}: hub agents did not reconnect within {ReconnectTimeout.TotalSeconds} seconds after the " +
            $"restarted server acknowledged the re-sent batches: {string.Join(", ", missing)}. Errors: " +
            string.Join("; ", hubAgents.Errors));
        return waited.ElapsedMilliseconds;
    }

    // The run's totals: kills by kind, kills inside a routing step, and the agents' acknowledged actions.
    private static string Summarize(List<CycleReport> reports, HubAgentLoad hubAgents, AgentLedger agentLedger)
    {
        var byKind = reports.GroupBy(report => report.Point).OrderBy(group => group.Key).Select(DescribeKills);
        var actions = Enum.GetValues<AgentChannel>().Select(channel =>
            $"{channel}: {agentLedger.Count(AgentAction.Accept, channel)} accepts, " +
            $"{agentLedger.Count(AgentAction.Decline, channel)} declines, " +
            $"{agentLedger.Count(AgentAction.Complete, channel)} completes");
        return $"Kills: {string.Join(", ", byKind)}. {reports.Count(report => report.StepInFlight)} of " +
            $"{reports.Count} kills came inside a routing step. Hub agents reconnected {hubAgents.Reconnects} " +
            $"times. Acknowledged agent actions, all audited: {string.Join("; ", actions)}.";
    }

    // For example "3 Accept (2 by a Hub agent, 1 at the time limit)".
    private static string DescribeKills(IGrouping<KillPoint, CycleReport> kills)
    {
        var details = kills.Where(report => report.Channel is not null)
            .GroupBy(report => report.Channel!.Value)
            .Select(group => $"{group.Count()} by a {group.Key} agent")
            .ToList();
        var limited = kills.Count(report => !report.Reached);
        if (limited > 0)
        {
            details.Add($"{limited} at the time limit");
        }

        return details.Count == 0 ? $"{kills.Count()} {kills.Key}" : $"{kills.Count()} {kills.Key} " +
            $"({string.Join(", ", details)})";
    }

    private async Task AuditAsync(
        string dataDirectory, IReadOnlyDictionary<string, string> settings, CrashLoopTenant tenant,
        IngestLedger ledger, AgentLedger agentLedger, int cycles, int seed)
    {
        await using var connection = OpenReadOnly(dataDirectory, settings);
        await connection.OpenAsync();
        var findings = await CrashAudit.RunAsync(
            connection, tenant.Credentials.CompanyCode, ledger.Sent, ledger.Acknowledged, agentLedger.Actions);
        output.WriteLine($"Audit after {cycles} cycles: {ledger.Acknowledged.Count} acknowledged entity ids, " +
            $"{findings.Counts.Emails} emails, {findings.Counts.Offers} offers, {findings.Counts.Events} email " +
            "events.");

        AssertNone(findings.Lost, "acknowledged entity ids are not stored", seed);
        AssertNone(findings.Duplicated, "entity ids are stored more than once", seed);
        AssertNone(findings.Unknown, "stored entity ids were never sent", seed);
        AssertNone(findings.OverlappingOffers, "emails had overlapping offers", seed);
        AssertNone(findings.OverMaximum, "times an agent was over its maximum", seed);
        AssertNone(findings.InvalidStates, "emails are in an invalid state", seed);
        AssertNone(findings.InvalidEvents, "event sequences do not fit the lifecycle", seed);
        AssertNone(findings.LostActions, "acknowledged agent actions are not stored", seed);
        Assert.True(findings.Counts.Offers > 0, $"Seed {seed}: no offer was made, so the agents checked nothing.");
    }

    private static void AssertNone(List<string> violations, string rule, int seed) =>
        Assert.True(violations.Count == 0,
            $"Seed {seed}: {violations.Count} {rule}, such as: {string.Join("; ", violations.Take(5))}");

    // The audit's own connection: the SQLite file opened read-only, or the PostgreSQL database with read-only
    // transactions.
    private static DbConnection OpenReadOnly(string dataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        if (settings.TryGetValue("Storage:ConnectionString", out var connectionString))
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Options = "-c default_transaction_read_only=on",
                Pooling = false,
            };
            return new NpgsqlConnection(builder.ConnectionString);
        }

        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, SqliteDatabase.FileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        return new SqliteConnection(sqlite.ConnectionString);
    }

    private static async Task<Dictionary<string, string>> SettingsForAsync(string dataDirectory)
    {
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",

            // The routing step's began and finished lines and the lines of freed slots, which RoutingStepWatch follows.
            ["Logging:LogLevel:RoutedEmail.Server.Routing.RoutingService"] = "Debug",
            ["Logging:LogLevel:RoutedEmail.Server.Routing.DeadlineService"] = "Information",
            ["Logging:LogLevel:RoutedEmail.Server.Agents.AgentActions"] = "Information",

            // The loop sends as fast as the server responds, which passes the default 1,000 ingest requests per 10 s
            // on a fast machine. A 429 is not what the loop tests, and it would fail it as a rejected valid batch.
            ["RateLimits:Ingest:PermitLimit"] = "0",
            ["RateLimits:Api:PermitLimit"] = "0",
        };
        if (TestStore.IsPostgres)
        {
            settings["Storage:Provider"] = "Postgres";
            settings["Storage:ConnectionString"] = await TestStore.ConnectionStringForAsync(dataDirectory);
        }

        return settings;
    }

    private async Task CleanUpAsync(string dataDirectory, bool passed)
    {
        if (!passed)
        {
            var database = TestStore.IsPostgres ? "; its PostgreSQL database stays until the test cluster stops" : "";
            output.WriteLine($"The data directory {dataDirectory} is kept for inspection{database}.");
            return;
        }

        await TestStore.DropAsync(dataDirectory);
        Directory.Delete(dataDirectory, recursive: true);
    }
}
