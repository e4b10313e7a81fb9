using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class HubTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Hub_OfferAfterIngest_PushedWithoutPolling()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, connected) = await HubTestClient.ConnectAsync(server, agent);
        await using var _ = hub;
        Assert.Equal("Offline", HubTestClient.WorkOf(connected)["status"]!.GetValue<string>());

        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var pushed = await hub.NextWithOffersAsync(1);

        Assert.Equal("Offered", HubTestClient.ReasonOf(pushed));
        var offer = AgentApi.Offers(HubTestClient.WorkOf(pushed))[0];
        Assert.Equal("e-1", AgentApi.EntityIdOf(offer));
        var rest = await agent.GetWorkAsync();
        Assert.Equal(rest.ToJsonString(), HubTestClient.WorkOf(pushed).ToJsonString());
    }

    [Fact]
    public async Task Hub_Pushes_SequenceIncreasesByOne()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, connected) = await HubTestClient.ConnectAsync(server, agent);
        await using var _ = hub;
        Assert.Equal(0, HubTestClient.SequenceOf(connected));

        await agent.SetStatusAsync("Available");
        var statusPush = await hub.NextAsync(_ => true, "the status push");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offerPush = await hub.NextWithOffersAsync(1);
        var current = await hub.Connection.InvokeAsync<JsonObject>("GetWork");

        Assert.Equal("AgentStatusChanged", HubTestClient.ReasonOf(statusPush));
        Assert.Equal(1, HubTestClient.SequenceOf(statusPush));
        Assert.Equal(2, HubTestClient.SequenceOf(offerPush));
        Assert.Equal("GetWork", HubTestClient.ReasonOf(current));
        Assert.Equal(2, HubTestClient.SequenceOf(current));
        Assert.Single(AgentApi.Offers(HubTestClient.WorkOf(current)));
    }

    [Fact]
    public async Task Hub_MethodSnapshot_CarriesSequenceOfItsPush()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;

        var available = await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        var statusPush = await hub.NextAsync(_ => true, "the status push");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offerPush = await hub.NextWithOffersAsync(1);
        var offer = AgentApi.Offers(HubTestClient.WorkOf(offerPush))[0];
        var accepted = await hub.Connection.InvokeAsync<JsonObject>("Accept", AgentApi.OfferIdOf(offer));
        var acceptPush = await hub.NextAsync(_ => true, "the accept push");

        // Each change is pushed once, and the method's snapshot is at least as new as the push of its change.
        Assert.Equal("AgentStatusChanged", HubTestClient.ReasonOf(statusPush));
        Assert.Equal(1, HubTestClient.SequenceOf(statusPush));
        Assert.Equal(1, HubTestClient.SequenceOf(available));
        Assert.Equal("Available", HubTestClient.WorkOf(available)["status"]!.GetValue<string>());
        Assert.Equal(2, HubTestClient.SequenceOf(offerPush));
        Assert.Equal("Accepted", HubTestClient.ReasonOf(acceptPush));
        Assert.Equal(3, HubTestClient.SequenceOf(acceptPush));
        Assert.Equal(3, HubTestClient.SequenceOf(accepted));
        Assert.Equal(
            HubTestClient.WorkOf(acceptPush).ToJsonString(), HubTestClient.WorkOf(accepted).ToJsonString());
    }

    [Fact]
    public async Task Hub_AcceptAndComplete_CompletesEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offer = AgentApi.Offers(HubTestClient.WorkOf(await hub.NextWithOffersAsync(1)))[0];

        var accepted = await hub.Connection.InvokeAsync<JsonObject>("Accept", AgentApi.OfferIdOf(offer));
        var acceptPush = await hub.NextAsync(message => HubTestClient.ReasonOf(message) == "Accepted", "Accepted");
        var completed = await hub.Connection.InvokeAsync<JsonObject>(
            "Complete", AgentApi.EmailIdOf(offer), "Resolved", "Replaced the part.");

        Assert.Equal("Accept", HubTestClient.ReasonOf(accepted));
        Assert.Empty(AgentApi.Offers(HubTestClient.WorkOf(accepted)));
        Assert.Single(AgentApi.Emails(HubTestClient.WorkOf(accepted)));
        Assert.Single(AgentApi.Emails(HubTestClient.WorkOf(acceptPush)));
        Assert.Empty(AgentApi.Emails(HubTestClient.WorkOf(completed)));
        var email = await scenario.FindEmailAsync("e-1");
        Assert.Equal("Completed", email!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hub_Decline_RemovesOffer()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offer = AgentApi.Offers(HubTestClient.WorkOf(await hub.NextWithOffersAsync(1)))[0];

        var declined = await hub.Connection.InvokeAsync<JsonObject>("Decline", AgentApi.OfferIdOf(offer));
        var pushed = await hub.NextAsync(message => HubTestClient.ReasonOf(message) == "OfferDeclined", "OfferDeclined");

        Assert.Equal("Decline", HubTestClient.ReasonOf(declined));
        Assert.DoesNotContain(AgentApi.Offers(HubTestClient.WorkOf(declined)),
            current => AgentApi.OfferIdOf(current) == AgentApi.OfferIdOf(offer));
        Assert.DoesNotContain(AgentApi.Offers(HubTestClient.WorkOf(pushed)),
            current => AgentApi.OfferIdOf(current) == AgentApi.OfferIdOf(offer));
    }

    [Fact]
    public async Task Hub_EndWrap_CompletesEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { wrapSeconds = 120 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offer = AgentApi.Offers(HubTestClient.WorkOf(await hub.NextWithOffersAsync(1)))[0];
        await hub.Connection.InvokeAsync<JsonObject>("Accept", AgentApi.OfferIdOf(offer));

        await hub.Connection.InvokeAsync<JsonObject>("Complete", AgentApi.EmailIdOf(offer), "Resolved", null);
        var wrapping = await scenario.FindEmailAsync("e-1");
        await hub.Connection.InvokeAsync<JsonObject>("EndWrap", AgentApi.EmailIdOf(offer));
        var closed = await scenario.FindEmailAsync("e-1");

        Assert.Equal("Wrap", wrapping!["state"]!.GetValue<string>());
        Assert.Equal("Completed", closed!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hub_FailedActions_RaiseRestMessages()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;

        var accept = await Assert.ThrowsAsync<HubException>(() => hub.Connection.InvokeAsync<JsonObject>("Accept", 999L));
        var complete = await Assert.ThrowsAsync<HubException>(
            () => hub.Connection.InvokeAsync<JsonObject>("Complete", 999L, null, null));
        var status = await Assert.ThrowsAsync<HubException>(
            () => hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Missed"));
        var notes = await Assert.ThrowsAsync<HubException>(
            () => hub.Connection.InvokeAsync<JsonObject>("Complete", 999L, null, new string('n', 4001)));

        Assert.Contains("No offer 999 was made to agent \"maria\".", accept.Message, StringComparison.Ordinal);
        Assert.StartsWith("An unexpected error occurred invoking 'Accept' on the server. HubException: No offer 999 ",
            accept.Message, StringComparison.Ordinal);
        Assert.Contains("Agent \"maria\" holds no email 999.", complete.Message, StringComparison.Ordinal);
        Assert.Contains("status \"Missed\" cannot be chosen.", status.Message, StringComparison.Ordinal);
        Assert.Contains("notes is 4001 characters long; it must have 0 to 4000.", notes.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, hub.Connection.State);
    }

    [Fact]
    public async Task Hub_GetProtocolVersion_ReturnsOne()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;

        Assert.Equal(1, await hub.Connection.InvokeAsync<int>("GetProtocolVersion"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-valid-token")]
    public async Task Hub_MissingOrWrongToken_Rejected(string? token)
    {
        await using var server = await TestServer.StartAsync();
        await using var hub = HubTestClient.Create(server, token);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => hub.Connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
    }

    [Fact]
    public async Task Hub_TokenInQueryString_Connects()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var token = Uri.EscapeDataString(HubTestClient.TokenOf(agent));
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/agent?access_token=" + token), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .Build();
        await using var _ = connection;

        await connection.StartAsync();

        Assert.Equal(1, await connection.InvokeAsync<int>("GetProtocolVersion"));
    }

    [Fact]
    public async Task RestApi_TokenInQueryString_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        using var anonymous = server.CreateClient();

        var token = Uri.EscapeDataString(HubTestClient.TokenOf(agent));
        using var response = await anonymous.GetAsync("/api/v1/agent/work?access_token=" + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Hub_Reconnect_ConnectedSnapshotHasMissedOffer()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (first, _) = await HubTestClient.ConnectAsync(server, agent);
        await first.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await first.DisposeAsync();

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await agent.WaitForOffersAsync(1);
        var (second, connected) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeSecond = second;

        var offers = AgentApi.Offers(HubTestClient.WorkOf(connected));
        Assert.Single(offers);
        Assert.Equal("e-1", AgentApi.EntityIdOf(offers[0]));
        Assert.Equal("Available", HubTestClient.WorkOf(connected)["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Hub_SessionExpires_ConnectionClosed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        var openBeforeExpiry = hub.Connection.State;
        time.Advance(TimeSpan.FromSeconds(2));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HubConnectionState.Connected, openBeforeExpiry);
        Assert.Equal(HubConnectionState.Disconnected, hub.Connection.State);
    }

    [Fact]
    public async Task Hub_OfferExpiry_Pushed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { offerTimeoutSeconds = 30 });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        await hub.Connection.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        var offered = await hub.NextWithOffersAsync(1);

        time.Advance(TimeSpan.FromSeconds(30));
        var expired = await hub.NextAsync(message => HubTestClient.ReasonOf(message) == "OfferExpired", "OfferExpired");

        Assert.Empty(AgentApi.Offers(HubTestClient.WorkOf(expired)));
        Assert.Equal("Missed", HubTestClient.WorkOf(expired)["status"]!.GetValue<string>());
        Assert.Equal(HubTestClient.SequenceOf(offered) + 1, HubTestClient.SequenceOf(expired));
    }

    [Fact]
    public async Task Hub_SignOut_ClosesConnection()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        var (hub, _) = await HubTestClient.ConnectAsync(server, agent);
        await using var disposeHub = hub;
        var closed = new TaskCompletionSource();
        hub.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        using var signOut = await agent.PostAsync("/api/v1/agent/sign-out", null);
        signOut.EnsureSuccessStatusCode();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HubConnectionState.Disconnected, hub.Connection.State);
    }

    [Theory]
    [InlineData("https://desktop.example.com", true)]
    [InlineData("https://other.example.com", false)]
    public async Task HubNegotiate_Preflight_AllowsListedOriginOnly(string origin, bool allowed)
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["AgentHub:AllowedOrigins:0"] = "https://desktop.example.com",
        });
        using var client = server.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/hubs/agent/negotiate?negotiateVersion=1");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        if (allowed)
        {
            Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        }
    }

    [Fact]
    public async Task AgentHubSettings_OriginWithPath_StopsStart()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(
            settings: new Dictionary<string, string> { ["AgentHub:AllowedOrigins:0"] = "https://desktop.example.com/app" }));

        Assert.Contains("AgentHub:AllowedOrigins contains \"https://desktop.example.com/app\"", failure.Message,
            StringComparison.Ordinal);
    }
}
