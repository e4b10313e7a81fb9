using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Crash;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Two server processes on one PostgreSQL database, with two agents connected to the hub of the second. The second
/// is killed with SIGKILL: the agent that reconnects to the first node gets its work back and stays Available, and
/// the agent that does not reconnect becomes Offline once the node timeout and the hub disconnect timeout passed.
/// </summary>
/// <remarks>
/// Child processes cannot use a fake clock, so the timeouts are set to seconds and the test waits in real time. The
/// exact timing rules are covered with <c>FakeTimeProvider</c> in <see cref="NodeHeartbeatTests"/>.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class NodeKillTests(ITestOutputHelper output)
{
    private const string Password = "password-node-kill";

    // The node timeout plus the hub disconnect timeout plus one heartbeat is 7 seconds; the rest is slack for a
    // loaded machine.
    private static readonly TimeSpan OfflineWithin = TimeSpan.FromSeconds(20);

    [PostgresFact]
    public async Task NodeKilled_ReconnectedAgentKeepsWork_VanishedAgentOffline()
    {
        var directories = Enumerable.Range(0, 2)
            .Select(_ => Directory.CreateTempSubdirectory("routed-email-node-").FullName).ToList();
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await TestStore.ConnectionStringForAsync(directories[0]),
            ["Nodes:HeartbeatInterval"] = "00:00:01",
            ["Nodes:NodeTimeout"] = "00:00:03",
            ["Agents:HubDisconnectTimeout"] = "00:00:03",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var nodes = new List<ServerProcess>();
        try
        {
            foreach (var directory in directories)
            {
                nodes.Add(await ServerProcess.StartAsync(directory, settings));
            }

            await RunAsync(nodes[0], nodes[1]);
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

    private async Task RunAsync(ServerProcess survivor, ServerProcess victim)
    {
        using var admin = survivor.CreateClient();
        var tenant = await TenantClient.CreateTenantAsync(admin, ServerProcess.AdminToken, "node-kill", "prod");
        var movingToken = await CreateAgentAsync(admin, victim, tenant, "moving");
        var vanishingToken = await CreateAgentAsync(admin, victim, tenant, "vanishing");

        await using var moving = await ConnectAsync(victim, movingToken);
        await moving.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        var ingest = new TenantClient(admin, tenant);
        using (var response = await ingest.IngestAsync(ingest.BuildBody(["node-kill-1"])))
        {
            response.EnsureSuccessStatusCode();
        }

        var offered = await moving.NextWithOffersAsync(1);
        var offerId = HubTestClient.WorkOf(offered)["offers"]![0]!["offerId"]!.GetValue<long>();
        await moving.Connection.InvokeAsync<JsonObject>("Accept", offerId);
        await using var vanishing = await ConnectAsync(victim, vanishingToken);
        await vanishing.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");

        victim.Kill();
        var killed = Stopwatch.StartNew();

        // The moving agent's client reconnects to the surviving node, as it would behind a load balancer.
        await using var moved = HubTestClient.Create(survivor.BaseAddress, movingToken);
        await moved.Connection.StartAsync();
        var connected = await moved.NextAsync(_ => true, "the Connected message");
        var work = HubTestClient.WorkOf(connected);
        Assert.Equal("Available", work["status"]!.GetValue<string>());
        var email = Assert.Single(AgentApi.Emails(work));
        Assert.Equal("node-kill-1", email["entityId"]!.GetValue<string>());
        Assert.Equal("Active", email["state"]!.GetValue<string>());

        using var vanishingRest = survivor.CreateClient();
        vanishingRest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", vanishingToken);
        await WaitForOfflineAsync(vanishingRest);
        output.WriteLine($"The agent that did not reconnect became Offline {killed.ElapsedMilliseconds} ms after the kill.");

        var movedWork = HubTestClient.WorkOf(await moved.Connection.InvokeAsync<JsonObject>("GetWork"));
        Assert.Equal("Available", movedWork["status"]!.GetValue<string>());
    }

    private static async Task<string> CreateAgentAsync(
        HttpClient admin, ServerProcess node, TenantCredentials tenant, string agentId)
    {
        await TenantClient.SendTenantAdminAsync(admin, ServerProcess.AdminToken, tenant, HttpMethod.Put,
            $"agents/{agentId}", new
            {
                password = Password,
                maxConcurrentEmails = 1,
                skillQueues = new[] { new { name = TenantClient.SkillQueue, rank = 1 } },
            });
        using var http = node.CreateClient();
        return await TenantClient.SignInAgentAsync(http, tenant, agentId, Password);
    }

    private static async Task<HubTestClient> ConnectAsync(ServerProcess node, string token)
    {
        var client = HubTestClient.Create(node.BaseAddress, token);
        await client.Connection.StartAsync();
        await client.NextAsync(_ => true, "the Connected message");
        return client;
    }

    /// <summary>Polls the agent's work through REST until its status is Offline, and fails after the limit.</summary>
    private static async Task WaitForOfflineAsync(HttpClient agent)
    {
        using var timeout = new CancellationTokenSource(OfflineWithin);
        string status;
        while ((status = (await agent.GetWorkAsync())["status"]!.GetValue<string>()) != "Offline")
        {
            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The agent that did not reconnect is still {status} {OfflineWithin} after the kill.");
            }
        }
    }
}
