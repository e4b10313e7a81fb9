using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RoutedEmail.Server.Cluster;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>Two nodes in this process on one PostgreSQL database, waking each other through LISTEN/NOTIFY.</summary>
public sealed class ClusterTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(10);

    [PostgresFact]
    public async Task Cluster_ChangeOnNodeA_PushedToHubOnNodeB()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var scenario = await Scenario.CreateAsync(cluster[0]);
        await scenario.PutAgentAsync("maria");
        using var mariaOnA = await scenario.SignInAsync("maria");
        using var mariaOnB = await scenario.On(cluster[1]).SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(cluster[1], mariaOnB);
        await using var disposeHub = hub;

        await mariaOnA.SetStatusAsync("Available");
        var statusPush = await hub.NextAsync(
            message => HubTestClient.ReasonOf(message) == "AgentStatusChanged", "the status change made on node A");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offerPush = await hub.NextWithOffersAsync(1);

        Assert.Equal("Available", HubTestClient.WorkOf(statusPush)["status"]!.GetValue<string>());
        Assert.Equal("Offered", HubTestClient.ReasonOf(offerPush));
        Assert.Equal("e-1", AgentApi.EntityIdOf(AgentApi.Offers(HubTestClient.WorkOf(offerPush))[0]));
    }

    [PostgresFact]
    public async Task Cluster_NodeAStopped_NodeBExpiresOfferOnTime()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.StartAsync(2, time);
        var scenario = await Scenario.CreateAsync(cluster[0]);
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 30 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");
        await maria.SetStatusAsync("Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offer = await maria.WaitForOfferOfAsync("e-1");
        await maria.AcceptAsync(offer);
        await bob.SetStatusAsync("Available");

        // Only node A makes this offer, so only its message informs node B of the new deadline.
        using var transfer = await maria.PostAsJsonAsync(
            $"/api/v1/agent/emails/{AgentApi.EmailIdOf(offer)}/transfer", new { agentId = "bob" });
        transfer.EnsureSuccessStatusCode();
        await cluster.StopAsync(0);
        using var bobOnB = await scenario.On(cluster[1]).SignInAsync("bob");
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var beforeDeadline = await bobOnB.GetWorkAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        var afterDeadline = await bobOnB.WaitForWorkAsync(
            work => work["status"]!.GetValue<string>() == "Missed", "bob Missed after the offer expired on node B");

        Assert.Single(AgentApi.Offers(beforeDeadline));
        Assert.Equal("Available", beforeDeadline["status"]!.GetValue<string>());
        Assert.Empty(AgentApi.Offers(afterDeadline));
    }

    [PostgresFact]
    public async Task Cluster_ListenerDropped_ChangeDeliveredAfterRecovery()
    {
        var time = new FakeTimeProvider(Start);
        await using var cluster = await TestCluster.StartAsync(2, time);
        var scenario = await Scenario.CreateAsync(cluster[0]);
        await scenario.PutAgentAsync("maria");
        using var mariaOnA = await scenario.SignInAsync("maria");
        using var mariaOnB = await scenario.On(cluster[1]).SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(cluster[1], mariaOnB);
        await using var disposeHub = hub;
        var listener = cluster[1].Services.GetRequiredService<ClusterListener>();
        var droppedId = listener.ListenerProcessId!.Value;

        await TerminateBackendAsync(cluster[1], droppedId);
        await PollAsync(() => listener.ListenerProcessId is null, "node B to notice its dropped listening connection");

        // Node B waits on the fake clock before it reconnects, so this change commits while B does not listen.
        await mariaOnA.SetStatusAsync("Available");
        await PollAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return listener.ListenerProcessId is not null;
        }, "node B to listen again");
        var resynchronized = await hub.NextAsync(
            message => HubTestClient.ReasonOf(message) == ClusterListener.ResynchronizedReason,
            "the push after node B listened again");

        Assert.NotEqual(droppedId, listener.ListenerProcessId);
        Assert.Equal("Available", HubTestClient.WorkOf(resynchronized)["status"]!.GetValue<string>());
    }

    private static async Task TerminateBackendAsync(TestServer node, int processId)
    {
        await using var connection = new NpgsqlConnection(await TestStore.ConnectionStringForAsync(node.DataDirectory));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", processId);
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    private static async Task PollAsync(Func<bool> condition, string expected)
    {
        using var timeout = new CancellationTokenSource(PollTimeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {PollTimeout.TotalSeconds} seconds waiting for {expected}.");
            }
        }
    }
}
