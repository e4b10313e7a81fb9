using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using RoutedEmail.Storage.Sqlite;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Kills the server with SIGKILL at a random moment of each cycle, while ingest load and agents (accepting, declining
/// and completing with work codes) run at the same time. Each restart uses the same SQLite data directory or
/// PostgreSQL database. After the last cycle an audit reads the database itself. It checks that every acknowledged
/// entity id is stored exactly once, that no email was offered to two agents and that no agent exceeded its maximum.
/// It also checks that every email's state and events fit the lifecycle. An email sent after the final restart must
/// reach an agent.
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
    private const int IngestWorkers = 2;
    private const int MaxRequestsPerCycle = 1000;

    // A cycle ends with a kill at its kill point, or at this time limit when the point was not reached.
    private static readonly TimeSpan MaxCycleTime = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The moment a cycle kills at: after a number of acknowledged batches, at the start of the n-th accept or
    /// complete request, or at a time after the cycle started.
    /// </summary>
    private enum KillPoint
    {
        Ingest,
        Accept,
        Complete,
        Timer,
    }

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
        ServerProcess? server = null;
        var passed = false;
        try
        {
            server = await ServerProcess.StartAsync(dataDirectory, settings);
            CrashLoopTenant tenant;
            using (var admin = server.CreateClient())
            {
                tenant = await CrashLoopTenant.CreateAsync(admin);
            }

            var agentErrors = new List<string>();
            for (var cycle = 1; cycle <= cycles; cycle++)
            {
                var context = $"Cycle {cycle} of {cycles}, seed {seed}";
                using (var http = server.CreateClient())
                {
                    await ledger.ResendUnansweredAsync(new TenantClient(http, tenant.Credentials), context);
                }

                agentErrors.AddRange(await LoadAndKillAsync(server, tenant, ledger, cycle, random, context));
                await server.DisposeAsync();
                server = null;
                server = await ServerProcess.StartAsync(dataDirectory, settings);
            }

            using (var http = server.CreateClient())
            {
                await ledger.ResendUnansweredAsync(new TenantClient(http, tenant.Credentials), "After the last cycle");
            }

            var finalEntityId = await tenant.RouteOneEmailAsync(server);
            ledger.Record([finalEntityId], acknowledged: true);
            await server.DisposeAsync();
            server = null;

            Assert.True(agentErrors.Count == 0,
                $"Seed {seed}: agents got {agentErrors.Count} unexpected responses, such as " +
                string.Join("; ", agentErrors.Take(3)));
            await AuditAsync(dataDirectory, settings, tenant, ledger, cycles, seed);
            passed = true;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await CleanUpAsync(dataDirectory, passed);
        }
    }

    // Runs ingest and agents until the cycle's kill point, kills the server and returns the agents' unexpected
    // responses.
    private async Task<IReadOnlyList<string>> LoadAndKillAsync(
        ServerProcess server, CrashLoopTenant tenant, IngestLedger ledger, int cycle, Random random, string context)
    {
        var point = (KillPoint)random.Next(4);
        var threshold = point switch
        {
            KillPoint.Ingest => random.Next(20, 201),
            KillPoint.Accept or KillPoint.Complete => random.Next(1, 9),
            _ => random.Next(200, 4001),
        };
        var delayAfterSignalMs = random.Next(3);
        var killSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actions = 0;

        using var http = server.CreateClient();
        var ingest = new IngestLoad(new TenantClient(http, tenant.Credentials), $"c{cycle}", random.Next());
        var agents = new AgentLoad(server.BaseAddress, tenant.AgentTokens, random.Next())
        {
            ActionSent = action =>
            {
                var actionPoint = action == AgentAction.Accept ? KillPoint.Accept : KillPoint.Complete;
                if (actionPoint == point && Interlocked.Increment(ref actions) == threshold)
                {
                    killSignal.TrySetResult();
                }
            },
        };
        var elapsed = Stopwatch.StartNew();
        var ingestRunning = ingest.RunAsync(IngestWorkers, MaxRequestsPerCycle);
        var agentsRunning = agents.RunAsync();
        var reached = await WaitForKillPointAsync(point, threshold, ingest, killSignal.Task, elapsed);
        if (reached && delayAfterSignalMs > 0)
        {
            await Task.Delay(delayAfterSignalMs);
        }

        ingest.Stop();
        agents.Stop();
        var inFlight = ingest.InFlight;
        server.Kill();
        await Task.WhenAll(ingestRunning, agentsRunning);

        var batches = ingest.Batches.ToList();
        var rejected = batches.FirstOrDefault(batch => batch.Outcome == BatchOutcome.Rejected);
        Assert.True(rejected is null,
            $"{context}: a valid batch was rejected before the kill with {rejected?.Detail}.");
        foreach (var batch in batches)
        {
            ledger.Record(batch.EntityIds, batch.Outcome == BatchOutcome.Acknowledged);
        }

        var where = reached ? Describe(point, threshold) : $"at the time limit, before {Describe(point, threshold)}";
        output.WriteLine($"Cycle {cycle}: killed {where}, {elapsed.ElapsedMilliseconds} ms into the cycle, with " +
            $"{inFlight} batches in flight. {ingest.Acknowledged} of {batches.Count} batches acknowledged, the " +
            $"others unanswered. Agents: {agents.Accepts} accepts, {agents.Declines} declines, " +
            $"{agents.Completes} completes.");
        return agents.Errors;
    }

    private static string Describe(KillPoint point, int threshold) => point switch
    {
        KillPoint.Ingest => $"after {threshold} acknowledged batches",
        KillPoint.Accept => $"at accept request {threshold}",
        KillPoint.Complete => $"at complete request {threshold}",
        _ => $"at the chosen time ({threshold} ms)",
    };

    private static async Task<bool> WaitForKillPointAsync(
        KillPoint point, int threshold, IngestLoad ingest, Task actionSignal, Stopwatch elapsed)
    {
        while (elapsed.Elapsed < MaxCycleTime)
        {
            var reached = point switch
            {
                KillPoint.Ingest => ingest.Acknowledged >= threshold,
                KillPoint.Timer => elapsed.ElapsedMilliseconds >= threshold,
                _ => actionSignal.IsCompleted,
            };
            if (reached)
            {
                return true;
            }

            await Task.WhenAny(actionSignal, Task.Delay(2));
        }

        return false;
    }

    private async Task AuditAsync(
        string dataDirectory, IReadOnlyDictionary<string, string> settings, CrashLoopTenant tenant,
        IngestLedger ledger, int cycles, int seed)
    {
        await using var connection = OpenReadOnly(dataDirectory, settings);
        await connection.OpenAsync();
        var findings = await CrashAudit.RunAsync(
            connection, tenant.Credentials.CompanyCode, ledger.Sent, ledger.Acknowledged);
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
        var settings = new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Warning" };
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
