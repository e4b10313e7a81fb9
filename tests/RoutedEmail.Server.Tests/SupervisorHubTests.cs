using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The supervisor hub: a <c>changed</c> message after each change, per tenant, merged under load.</summary>
public sealed class SupervisorHubTests
{
    [Fact]
    public async Task Hub_IngestAndOffer_SendsChanged()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        using var agent = await scenario.SignInAsync("maria");
        await using var hub = await SupervisorHubClient.ConnectAsync(scenario, supervisor);
        await using var operatorHub = await SupervisorHubClient.ConnectAsync(scenario, server.Admin);

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await hub.NextAsync("the ingest");
        await operatorHub.NextAsync("the ingest, on the operator's connection");
        await agent.SetStatusAsync("Available");
        await hub.NextAsync("the status change and the offer");
        await agent.WaitForOfferOfAsync("e-1");

        Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
    }

    [Fact]
    public async Task Hub_OtherTenantChange_SendsNothing()
    {
        await using var server = await TestServer.StartAsync();
        var first = await Scenario.CreateAsync(server, "first-co");
        var second = await Scenario.CreateAsync(server, "second-co");
        await first.PutUserAsync("sam", "Supervisor");
        await second.PutUserAsync("sam", "Supervisor");
        using var firstSupervisor = await first.SignInUserAsync("sam");
        using var secondSupervisor = await second.SignInUserAsync("sam");
        await using var firstHub = await SupervisorHubClient.ConnectAsync(first, firstSupervisor);
        await using var secondHub = await SupervisorHubClient.ConnectAsync(second, secondSupervisor);

        await second.IngestAcceptedAsync(second.Item("e-1"));
        await secondHub.NextAsync("the second tenant's ingest");
        await first.IngestAcceptedAsync(first.Item("e-1"));
        await firstHub.NextAsync("the first tenant's ingest");

        // A message for the second tenant's ingest would have come in the same send, before the first tenant's own.
        Assert.Equal(1, firstHub.Count);
    }

    [Theory]
    [InlineData("Agent", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Hub_WithoutSupervisorRole_Rejected(string? role, HttpStatusCode expected)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        string? token = null;
        if (role is not null)
        {
            await scenario.PutUserAsync("ann", role);
            using var user = await scenario.SignInUserAsync("ann");
            token = user.DefaultRequestHeaders.Authorization!.Parameter;
        }

        await using var hub = SupervisorHubClient.Create(
            server.BaseAddress, scenario.CompanyCode, scenario.Environment, token);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => hub.Connection.StartAsync());

        Assert.Equal(expected, failure.StatusCode);
    }

    [Fact]
    public async Task Hub_SupervisorOfOtherTenant_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var first = await Scenario.CreateAsync(server, "first-co");
        var second = await Scenario.CreateAsync(server, "second-co");
        await first.PutUserAsync("sam", "Supervisor");
        using var supervisor = await first.SignInUserAsync("sam");

        await using var hub = SupervisorHubClient.Create(server.BaseAddress, second.CompanyCode, second.Environment,
            supervisor.DefaultRequestHeaders.Authorization!.Parameter);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => hub.Connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, failure.StatusCode);
    }

    [PostgresFact]
    public async Task Hub_IngestOnOtherNode_SendsChanged()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var onFirst = await Scenario.CreateAsync(cluster[0]);
        await onFirst.PutUserAsync("sam", "Supervisor");
        var onSecond = onFirst.On(cluster[1]);
        using var supervisor = await onSecond.SignInUserAsync("sam");
        await using var hub = await SupervisorHubClient.ConnectAsync(onSecond, supervisor);
        var before = hub.Count;

        await onFirst.IngestAcceptedAsync(onFirst.Item("e-1"));
        await hub.NextAsync("the ingest on the other node");

        Assert.True(hub.Count > before, "No changed message reached the supervisor connected to the other node.");
    }

    [Fact]
    public async Task Hub_ManyIngests_MergesMessages()
    {
        var interval = TimeSpan.FromMilliseconds(400);
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Dashboard:PushInterval"] = interval.ToString(),
        });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("sam", "Supervisor");
        using var supervisor = await scenario.SignInUserAsync("sam");
        await using var hub = await SupervisorHubClient.ConnectAsync(scenario, supervisor);

        const int ingests = 60;
        var watch = Stopwatch.StartNew();
        var sends = Enumerable.Range(0, ingests)
            .Select(index => scenario.IngestAcceptedAsync(scenario.Item($"e-{index}")));
        await Task.WhenAll(sends);
        var elapsed = watch.Elapsed;
        await hub.NextAsync("the ingests");

        // One send at the start of each interval, plus the send that may follow the last ingest.
        var maxMessages = (int)(elapsed / interval) + 2;
        Assert.InRange(hub.Count, 1, maxMessages);
        Assert.True(hub.Count < ingests, $"{hub.Count} messages for {ingests} ingests were not merged.");
    }
}
