using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Crash;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Three server processes on one PostgreSQL database. Email is ingested round-robin through all three while agents
/// signed in on different nodes take it through the REST agent API; one node is killed with SIGKILL mid-run.
/// </summary>
[Collection(nameof(CrashCollection))]
public sealed class ThreeNodeTests(ITestOutputHelper output)
{
    private const int Emails = 1_000;
    private const int BatchSize = 10;
    private const int Agents = 6;
    private const int MaxConcurrentEmails = 3;
    private const string Password = "password-three-nodes";
    private const string UrgentOwner = "Urgent";

    private static readonly TimeSpan RoutingResumes = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(120);

    [PostgresFact]
    public async Task ThreeNodes_OneKilledMidRun_EveryAcknowledgedEmailRoutedOnce()
    {
        var directories = Enumerable.Range(0, 3)
            .Select(_ => Directory.CreateTempSubdirectory("routed-email-node-").FullName).ToList();
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await TestStore.ConnectionStringForAsync(directories[0]),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var nodes = new List<ServerProcess>();
        try
        {
            foreach (var directory in directories)
            {
                nodes.Add(await ServerProcess.StartAsync(directory, settings));
            }

            await RunAsync(nodes);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await TestStore.DropAsync(directories[0]);
            directories.ForEach(directory => Directory.Delete(directory, recursive: true));
        }
    }

    private async Task RunAsync(List<ServerProcess> nodes)
    {
        var live = new ConcurrentDictionary<int, ServerProcess>(
            nodes.Select((node, index) => KeyValuePair.Create(index, node)));
        using var admin = nodes[0].CreateClient();
        var tenant = await TenantClient.CreateTenantAsync(admin, ServerProcess.AdminToken, "three-nodes", "prod");

        // The email sent right after the kill goes first in the queue, so its wait measures routing, not the backlog.
        await TenantClient.SendTenantAdminAsync(admin, ServerProcess.AdminToken, tenant, HttpMethod.Put,
            $"routed-email-configurations/{UrgentOwner}", new { skillQueue = TenantClient.SkillQueue, priority = 1000 });
        var agents = await SignInAgentsAsync(admin, tenant, nodes);
        using var stop = new CancellationTokenSource();
        var maxLoad = 0;
        var errors = new ConcurrentQueue<string>();
        var workers = agents.Select(agent => Task.Run(() =>
            WorkAsync(agent, live, load => InterlockedMax(ref maxLoad, load), errors, stop.Token))).ToList();

        var (acknowledged, resumedIn) = await IngestAsync(tenant, nodes, live, killAfterBatch: Emails / BatchSize / 3);
        output.WriteLine(
            $"{acknowledged.Count} emails acknowledged; the first email after the kill was offered in " +
            $"{resumedIn.TotalMilliseconds:F0} ms");
        Assert.True(resumedIn <= RoutingResumes, $"The first email after the kill waited {resumedIn} for an offer.");

        using var reader = nodes[0].CreateClient();
        var client = new TenantClient(reader, tenant);
        var stuck = await WaitForCompletionAsync(client, acknowledged);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(stuck is null,
            $"Not completed in {DrainTimeout}: {stuck?.ToJsonString()}. Agent errors: {string.Join(" | ", errors)}");

        foreach (var entityId in acknowledged)
        {
            var email = (await client.FindEmailAsync(entityId))!;
            var events = email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>()).ToList();
            Assert.Equal(1, events.Count(type => type == "Offered"));
            Assert.Equal(1, events.Count(type => type == "Accepted"));
        }

        Assert.InRange(maxLoad, 1, MaxConcurrentEmails);
    }

    /// <summary>Creates the agents and signs each in on a node of its own, round-robin.</summary>
    private static async Task<List<(string Id, int Node, string Token)>> SignInAgentsAsync(
        HttpClient admin, TenantCredentials tenant, List<ServerProcess> nodes)
    {
        var agents = new List<(string, int, string)>();
        for (var index = 0; index < Agents; index++)
        {
            var agentId = $"agent-{index}";
            await TenantClient.SendTenantAdminAsync(admin, ServerProcess.AdminToken, tenant, HttpMethod.Put,
                $"agents/{agentId}", new
                {
                    password = Password,
                    maxConcurrentEmails = MaxConcurrentEmails,
                    skillQueues = new[] { new { name = TenantClient.SkillQueue, rank = 1 } },
                });
            var node = index % nodes.Count;
            using var http = nodes[node].CreateClient();
            agents.Add((agentId, node, await TenantClient.SignInAgentAsync(http, tenant, agentId, Password)));
        }

        return agents;
    }

    /// <summary>
    /// Plays one agent: goes Available, then accepts and completes every offer, and completes any email left
    /// Active, until stopped. When its node dies, it moves to a live node with the same token, as an agent desktop
    /// behind a load balancer would.
    /// </summary>
    private static async Task WorkAsync(
        (string Id, int Node, string Token) agent, ConcurrentDictionary<int, ServerProcess> live, Action<int> observeLoad,
        ConcurrentQueue<string> errors, CancellationToken stop)
    {
        var node = agent.Node;
        var available = false;
        while (!stop.IsCancellationRequested)
        {
            if (!live.TryGetValue(node, out var server))
            {
                node = live.Keys.Min();
                continue;
            }

            using var http = server.CreateClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agent.Token);
            try
            {
                if (!available)
                {
                    await http.SetStatusAsync("Available");
                    available = true;
                }

                var work = await http.GetWorkAsync();
                observeLoad(AgentApi.Offers(work).Length + AgentApi.Emails(work).Length);
                foreach (var offer in AgentApi.Offers(work))
                {
                    await http.AcceptAndCompleteAsync(offer);
                }

                // An email accepted on a node that died before the complete arrived is still Active.
                foreach (var email in AgentApi.Emails(work).Where(email => email["state"]!.GetValue<string>() == "Active"))
                {
                    using var completed = await http.PostAsJsonAsync(
                        $"/api/v1/agent/emails/{email["emailId"]}/complete", new { }, stop);
                    completed.EnsureSuccessStatusCode();
                }

                if (AgentApi.Offers(work).Length == 0)
                {
                    await Task.Delay(20, stop);
                }
            }
            catch (HttpRequestException) when (!live.ContainsKey(node))
            {
                // The node died during the request; the next loop moves to a live one.
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                errors.Enqueue($"{agent.Id} on node {node}: {exception.Message}");
            }
        }
    }

    /// <summary>
    /// Ingests the emails in batches, round-robin over the live nodes, and kills the second node after
    /// <paramref name="killAfterBatch"/> batches. Returns the entity ids of every acknowledged batch, and how long
    /// the first email after the kill waited for its offer.
    /// </summary>
    private async Task<(List<string> Acknowledged, TimeSpan ResumedIn)> IngestAsync(
        TenantCredentials tenant, List<ServerProcess> nodes, ConcurrentDictionary<int, ServerProcess> live,
        int killAfterBatch)
    {
        var acknowledged = new List<string>();
        var resumedIn = TimeSpan.Zero;
        for (var batch = 0; batch < Emails / BatchSize; batch++)
        {
            if (batch == killAfterBatch)
            {
                live.TryRemove(1, out _);
                nodes[1].Kill();
                output.WriteLine($"killed node 1 (pid {nodes[1].ProcessId}) after {batch} batches");
                resumedIn = await MeasureRoutingResumeAsync(tenant, nodes[0]);
            }

            var entityIds = Enumerable.Range(0, BatchSize).Select(index => $"b{batch}-e{index}").ToList();
            var node = live.Keys.OrderBy(key => key).ElementAt(batch % live.Count);
            using var http = nodes[node].CreateClient();
            var client = new TenantClient(http, tenant);
            using var response = await client.IngestAsync(client.BuildBody(entityIds));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged.AddRange(entityIds);
        }

        return (acknowledged, resumedIn);
    }

    /// <summary>
    /// Ingests one email of the highest priority through a live node and returns how long it waited before an agent
    /// got its offer.
    /// </summary>
    private static async Task<TimeSpan> MeasureRoutingResumeAsync(TenantCredentials tenant, ServerProcess node)
    {
        using var http = node.CreateClient();
        var client = new TenantClient(http, tenant);
        var stopwatch = Stopwatch.StartNew();
        var body = client.BuildBody(["after-kill"]).Replace(
            $"\"{TenantClient.OwnerId}\"", $"\"{UrgentOwner}\"", StringComparison.Ordinal);
        using var response = await client.IngestAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        while (stopwatch.Elapsed < RoutingResumes * 2)
        {
            var email = await client.FindEmailAsync("after-kill");
            if (email!["state"]!.GetValue<string>() != "Queued")
            {
                return stopwatch.Elapsed;
            }

            await Task.Delay(20);
        }

        return stopwatch.Elapsed;
    }

    /// <summary>Waits until every email is Completed, and returns the first one that is not in time, or null.</summary>
    private static async Task<JsonObject?> WaitForCompletionAsync(TenantClient client, List<string> entityIds)
    {
        var stopwatch = Stopwatch.StartNew();
        foreach (var entityId in entityIds)
        {
            JsonObject email;
            while ((email = (await client.FindEmailAsync(entityId))!)["state"]!.GetValue<string>() != "Completed")
            {
                if (stopwatch.Elapsed > DrainTimeout)
                {
                    return email;
                }

                await Task.Delay(50);
            }
        }

        return null;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
