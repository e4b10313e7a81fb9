using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>Runs crash tests alone, because they load every core and kill processes on a timing.</summary>
[CollectionDefinition(nameof(CrashCollection), DisableParallelization = true)]
public sealed class CrashCollection;

/// <summary>
/// Kills the server process with SIGKILL while ingest requests are in flight, restarts it on the same data directory
/// and checks the ingest contract: every acknowledged item is stored, and no batch is partially stored.
/// </summary>
/// <remarks>
/// SIGKILL ends the process but not the operating system, so writes the process handed to the kernel survive. These
/// tests prove that a success is sent only after the commit, not that the commit reached the disk.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    /// <summary>The environment variable that sets the number of kill and restart rounds. The default is 3.</summary>
    public const string RoundsVariable = "ROUTED_EMAIL_CRASH_ROUNDS";

    /// <summary>
    /// The environment variable that sets the random seed of batch sizes and kill points, to repeat a failed run. The
    /// default is a new random seed, which the test output prints.
    /// </summary>
    public const string SeedVariable = "ROUTED_EMAIL_CRASH_SEED";

    private const int DefaultRounds = 3;
    private const int Workers = 8;
    private const int MaxRequestsPerRound = 1500;

    // A round's requests can pass the default 1,000 ingest requests per 10 s, and a 429 would fail the round as a
    // rejected valid batch, so the server runs without rate limits.
    private static readonly Dictionary<string, string> WithoutRateLimits = new()
    {
        ["RateLimits:Ingest:PermitLimit"] = "0",
        ["RateLimits:Api:PermitLimit"] = "0",
    };
    private const int VerifyParallelism = 8;

    // The kill comes after a random number of acknowledged batches in this range, or after the time limit.
    private const int MinAcknowledgedBeforeKill = 50;
    private const int MaxAcknowledgedBeforeKill = 400;
    private static readonly TimeSpan MaxLoadTime = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Ingest_KilledDuringLoad_KeepsAcknowledgedBatches()
    {
        var rounds = ReadSetting(RoundsVariable, DefaultRounds);
        var seed = ReadSetting(SeedVariable, Random.Shared.Next(1, int.MaxValue));
        output.WriteLine($"{rounds} rounds with seed {seed}; set {SeedVariable}={seed} to repeat them.");
        var random = new Random(seed);
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-crash-").FullName;
        ServerProcess? server = null;
        var passed = false;
        try
        {
            server = await ServerProcess.StartAsync(dataDirectory, WithoutRateLimits);
            TenantCredentials tenant;
            using (var admin = server.CreateClient())
            {
                tenant = await TenantClient.CreateTenantAsync(admin, ServerProcess.AdminToken, "crash-test", "prod");
            }

            var itemsSent = 0;
            var inFlightAtKills = 0;
            for (var round = 1; round <= rounds; round++)
            {
                var context = $"Round {round} of {rounds}, seed {seed}";
                var (batches, inFlight) = await LoadAndKillAsync(server, tenant, round, random);
                await server.DisposeAsync();
                server = null;
                server = await ServerProcess.StartAsync(dataDirectory, WithoutRateLimits);

                using var http = server.CreateClient();
                var client = new TenantClient(http, tenant);
                await CheckRoundAsync(client, batches, context);

                itemsSent += batches.Sum(batch => batch.EntityIds.Count);
                inFlightAtKills += inFlight;
                var waiting = await TenantClient.CountWaitingAsync(http, ServerProcess.AdminToken, tenant);
                Assert.True(itemsSent == waiting,
                    $"{context}: {itemsSent} distinct entity ids were sent in all rounds, so {itemsSent} emails " +
                    $"should be Queued, but the stats show {waiting}.");
            }

            Assert.True(inFlightAtKills > 0,
                $"Seed {seed}: no batch was in flight at any kill, so the test did not check partially stored " +
                "batches.");
            passed = true;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (passed)
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            else
            {
                output.WriteLine($"The data directory {dataDirectory} is kept for inspection.");
            }
        }
    }

    // Sends ingest load until a random number of batches is acknowledged, then kills the server mid-load.
    private async Task<(IReadOnlyList<SentBatch> Batches, int InFlight)> LoadAndKillAsync(
        ServerProcess server, TenantCredentials tenant, int round, Random random)
    {
        using var http = server.CreateClient();
        var load = new IngestLoad(new TenantClient(http, tenant), $"r{round}", random.Next());
        var killAfter = random.Next(MinAcknowledgedBeforeKill, MaxAcknowledgedBeforeKill + 1);
        var running = load.RunAsync(Workers, MaxRequestsPerRound);
        var elapsed = Stopwatch.StartNew();
        while (load.Acknowledged < killAfter && !running.IsCompleted && elapsed.Elapsed < MaxLoadTime)
        {
            await Task.Delay(5);
        }

        // Stopping just before the kill means every unanswered batch was sent while the process was alive.
        load.Stop();
        var inFlight = load.InFlight;
        server.Kill();
        await running;

        var batches = load.Batches.ToList();
        output.WriteLine($"Round {round}: killed after {elapsed.ElapsedMilliseconds} ms with {inFlight} batches in " +
            "flight; " +
            $"{Count(batches, BatchOutcome.Acknowledged)} batches acknowledged, " +
            $"{Count(batches, BatchOutcome.Rejected)} rejected, {Count(batches, BatchOutcome.NoResponse)} unanswered.");
        return (batches, inFlight);
    }

    private async Task CheckRoundAsync(TenantClient client, IReadOnlyList<SentBatch> batches, string context)
    {
        var rejected = batches.FirstOrDefault(batch => batch.Outcome == BatchOutcome.Rejected);
        Assert.True(rejected is null,
            $"{context}: a valid batch was rejected before the kill with {rejected?.Detail}.");

        var acknowledged = batches.Where(batch => batch.Outcome == BatchOutcome.Acknowledged).ToList();
        var lost = await FindMissingAsync(client, acknowledged.SelectMany(batch => batch.EntityIds));
        Assert.True(lost.Count == 0,
            $"{context}: {lost.Count} acknowledged entity ids are not found after the restart, such as " +
            $"{string.Join(", ", lost.Take(5))}.");

        var unanswered = batches.Where(batch => batch.Outcome == BatchOutcome.NoResponse).ToList();
        var stored = await CountStoredItemsAsync(client, unanswered);
        var partiallyStored = unanswered.Where(batch => stored[batch] != 0 && stored[batch] != batch.EntityIds.Count)
            .ToList();
        var example = partiallyStored.Select(batch => $"{stored[batch]} of the {batch.EntityIds.Count} items from " +
            $"{batch.EntityIds[0]}").FirstOrDefault();
        Assert.True(partiallyStored.Count == 0,
            $"{context}: {partiallyStored.Count} unanswered batches are partially stored, such as {example}. " +
            "A batch must be stored whole or not at all.");
        output.WriteLine($"  unanswered batches stored whole: {unanswered.Count(batch => stored[batch] > 0)}, " +
            $"not stored: {unanswered.Count(batch => stored[batch] == 0)}.");

        await ResendAsync(client, unanswered, context);
    }

    // Re-sends every unanswered batch as a client retry would, which must succeed and leave every item stored once.
    private static async Task ResendAsync(TenantClient client, IReadOnlyList<SentBatch> unanswered, string context)
    {
        await Parallel.ForEachAsync(unanswered, new ParallelOptions { MaxDegreeOfParallelism = VerifyParallelism },
            async (batch, cancellationToken) =>
            {
                using var response = await client.IngestAsync(client.BuildBody(batch.EntityIds), cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                Assert.True(body == TenantClient.SuccessBody,
                    $"{context}: re-sending an unanswered batch returned {(int)response.StatusCode} {body}; " +
                    "expected 200 SUCCESS.");
            });

        var missing = await FindMissingAsync(client, unanswered.SelectMany(batch => batch.EntityIds));
        Assert.True(missing.Count == 0,
            $"{context}: {missing.Count} entity ids of re-sent batches are not found, such as " +
            $"{string.Join(", ", missing.Take(5))}.");
    }

    private static async Task<List<string>> FindMissingAsync(TenantClient client, IEnumerable<string> entityIds)
    {
        var missing = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(entityIds, new ParallelOptions { MaxDegreeOfParallelism = VerifyParallelism },
            async (entityId, cancellationToken) =>
            {
                var email = await client.FindEmailAsync(entityId, cancellationToken);
                if (email?["entityId"]?.GetValue<string>() != entityId)
                {
                    missing.Add(entityId);
                }
            });
        return [.. missing.Order(StringComparer.Ordinal)];
    }

    private static async Task<Dictionary<SentBatch, int>> CountStoredItemsAsync(
        TenantClient client, IReadOnlyList<SentBatch> batches)
    {
        var stored = new ConcurrentDictionary<SentBatch, int>();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = VerifyParallelism },
            async (batch, cancellationToken) =>
            {
                var found = 0;
                foreach (var entityId in batch.EntityIds)
                {
                    found += await client.FindEmailAsync(entityId, cancellationToken) is null ? 0 : 1;
                }

                stored[batch] = found;
            });
        return new Dictionary<SentBatch, int>(stored);
    }

    private static int Count(IEnumerable<SentBatch> batches, BatchOutcome outcome) =>
        batches.Count(batch => batch.Outcome == outcome);

    /// <summary>Reads a positive integer from an environment variable, or returns the default when it is unset.</summary>
    /// <exception cref="InvalidOperationException">The variable is set but is not a positive integer.</exception>
    internal static int ReadSetting(string variable, int defaultValue)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidOperationException(
                $"Environment variable {variable} is \"{text}\", which is not a whole number from 1 to " +
                $"{int.MaxValue}. Set it to one, or unset it for the default.");
    }
}
