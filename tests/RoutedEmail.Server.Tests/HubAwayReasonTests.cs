using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class HubAwayReasonTests
{
    [Fact]
    public async Task HubSetStatusWithReason_KnownReason_ShownInWork()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;

        var message = await hub.Connection.InvokeAsync<JsonObject>("SetStatusWithReason", "Away", "lunch");

        Assert.Equal("Away", HubTestClient.WorkOf(message)["status"]!.GetValue<string>());
        Assert.Equal("lunch", HubTestClient.WorkOf(message)["awayReason"]!.GetValue<string>());
    }
}
