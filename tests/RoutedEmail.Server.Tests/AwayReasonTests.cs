using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class AwayReasonTests
{
    [Fact]
    public async Task AwayReason_PutThenReplace_Returns201Then200()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var path = $"{scenario.TenantPath}/away-reasons/lunch";

        using var created = await server.Admin.PutAsJsonAsync(path, new { description = "Lunch break" });
        using var replaced = await server.Admin.PutAsJsonAsync(path, new { description = "Meal break" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var stored = (await server.Admin.GetFromJsonAsync<JsonObject>(path))!;
        Assert.Equal("lunch", stored["code"]!.GetValue<string>());
        Assert.Equal("Meal break", stored["description"]!.GetValue<string>());
        var list = (await server.Admin.GetFromJsonAsync<JsonArray>($"{scenario.TenantPath}/away-reasons"))!;
        Assert.Equal("lunch", Assert.Single(list)!["code"]!.GetValue<string>());
        using var missing = await server.Admin.GetAsync($"{scenario.TenantPath}/away-reasons/training");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("lunch%E2%80%AE", "x", "code")]
    [InlineData("%20lunch", "x", "code")]
    [InlineData("lunch", "too-long", "description")]
    public async Task AwayReason_InvalidValue_RejectedNamingField(string code, string description, string field)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var text = description == "too-long" ? new string('x', 201) : description;

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/away-reasons/{code}", new { description = text });

        await IngestAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task AwayReason_LongCode_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/away-reasons/{new string('c', 65)}", new { description = "x" });

        await IngestAssert.ValidationProblemAsync(response, "code");
    }

    [Fact]
    public async Task AwayStatus_WithReason_ShownOnAgent()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away", reason = "lunch" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var work = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Away", work["status"]!.GetValue<string>());
        Assert.Equal("lunch", work["awayReason"]!.GetValue<string>());
        var admin = (await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/agents/maria"))!;
        Assert.Equal("lunch", admin["awayReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task AwayStatus_MissingReason_ListsCodes()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAsync("away-reasons/training", new { description = "Training" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away" });

        var message = await IngestAssert.ValidationProblemAsync(response, "reason");
        Assert.Contains("\"lunch\", \"training\"", message, StringComparison.Ordinal);
        Assert.Equal("Offline", (await agent.GetWorkAsync())["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AwayStatus_UnknownReason_ListsCodes()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync(
            "/api/v1/agent/status", new { status = "Away", reason = "Lunch" });

        var message = await IngestAssert.ValidationProblemAsync(response, "reason");
        Assert.Contains("\"Lunch\"", message, StringComparison.Ordinal);
        Assert.Contains("\"lunch\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwayStatus_NoReasonsDefined_AcceptsNoReason()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        await agent.SetStatusAsync("Away");
        using var withReason = await agent.PutAsJsonAsync(
            "/api/v1/agent/status", new { status = "Away", reason = "lunch" });

        var work = await agent.GetWorkAsync();
        Assert.Equal("Away", work["status"]!.GetValue<string>());
        Assert.Null(work["awayReason"]);
        await IngestAssert.ValidationProblemAsync(withReason, "reason");
    }

    [Theory]
    [InlineData("Available")]
    [InlineData("Offline")]
    public async Task OtherStatus_WithReason_Rejected(string status)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status, reason = "lunch" });

        await IngestAssert.ValidationProblemAsync(response, "reason");
    }

    [Fact]
    public async Task AwayReason_Changes_RecordedInEventDetail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAsync("away-reasons/training", new { description = "Training" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        await SetAwayAsync(agent, "lunch");
        await SetAwayAsync(agent, "training");
        await SetAwayAsync(agent, "training");
        await agent.SetStatusAsync("Available");

        Assert.Equal(
            ["Away lunch", "Away training", "Available"],
            EventLog.ReadDetails(server, ["AgentStatusChanged"], "maria"));
        Assert.Null((await agent.GetWorkAsync())["awayReason"]);
    }

    [Fact]
    public async Task HubSetStatus_MissingReason_RaisesRestError()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("away-reasons/lunch", new { description = "Lunch break" });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        using var rest = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away" });
        var restMessage = await IngestAssert.ValidationProblemAsync(rest, "reason");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;

        var error = await Assert.ThrowsAsync<HubException>(
            () => hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Away"));

        Assert.Contains(restMessage, error.Message, StringComparison.Ordinal);
    }

    private static async Task SetAwayAsync(HttpClient agent, string reason)
    {
        using var response = await agent.PutAsJsonAsync("/api/v1/agent/status", new { status = "Away", reason });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
