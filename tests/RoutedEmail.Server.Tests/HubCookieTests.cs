using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The agent hub with the web sign-in cookie in place of a bearer token, as the browser sends it.</summary>
public sealed class HubCookieTests
{
    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Cookie_WithCsrfHeader_ConnectsAndGetsOffer(HttpTransportType transport)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        var cookies = await SignInWithCookieAsync(scenario, "maria");
        await using var hub = Build(server, cookies, transport, csrfHeader: true, origin: null);
        var offered = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonObject>("work", message =>
        {
            if (AgentApi.Offers(HubTestClient.WorkOf(message)).Length == 1)
            {
                offered.TrySetResult(message);
            }
        });

        await hub.StartAsync();
        await hub.InvokeAsync<JsonObject>("SetStatus", "Available");
        await scenario.IngestAcceptedAsync(scenario.Item("e-cookie"));
        var pushed = await offered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var offer = AgentApi.Offers(HubTestClient.WorkOf(pushed))[0];
        Assert.Equal("e-cookie", AgentApi.EntityIdOf(offer));
    }

    [Fact]
    public async Task Negotiate_CookieWithoutCsrfHeader_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        var cookies = await SignInWithCookieAsync(scenario, "maria");
        using var client = CreateClient(server, cookies);

        // The .NET SignalR client sends the header itself, so the rule is checked on the raw POST.
        using var without = await client.PostAsync("/hubs/agent/negotiate?negotiateVersion=1", null);
        using var withHeader = new HttpRequestMessage(HttpMethod.Post, "/hubs/agent/negotiate?negotiateVersion=1");
        withHeader.Headers.Add("X-Requested-With", "XMLHttpRequest");
        using var with = await client.SendAsync(withHeader);

        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task Cookie_ForeignOrigin_Forbidden()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        var cookies = await SignInWithCookieAsync(scenario, "maria");
        await using var hub = Build(
            server, cookies, HttpTransportType.WebSockets, csrfHeader: true, origin: "https://crm.example.com");

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, exception.StatusCode);
    }

    [Fact]
    public async Task Cookie_AfterSignOut_Unauthorized()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        var cookies = await SignInWithCookieAsync(scenario, "maria");
        using (var client = CreateClient(server, cookies))
        {
            using var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sign-out");
            signOut.Headers.Add("X-Requested-With", "XMLHttpRequest");
            using var response = await client.SendAsync(signOut);
            Assert.True(response.IsSuccessStatusCode, $"sign-out failed: {(int)response.StatusCode}");
        }

        await using var hub = Build(server, cookies, HttpTransportType.WebSockets, csrfHeader: true, origin: null);
        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, exception.StatusCode);
    }

    private static async Task<CookieContainer> SignInWithCookieAsync(Scenario scenario, string userId)
    {
        var cookies = new CookieContainer();
        using var client = CreateClient(scenario.Server, cookies);
        using var response = await scenario.PostSignInAsync(client, userId, query: "?cookie=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(cookies.GetCookies(scenario.Server.BaseAddress));
        return cookies;
    }

    private static HttpClient CreateClient(TestServer server, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, UseCookies = true }) { BaseAddress = server.BaseAddress };

    private static HubConnection Build(
        TestServer server, CookieContainer cookies, HttpTransportType transport, bool csrfHeader, string? origin) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "/hubs/agent"), options =>
            {
                options.Transports = transport;
                options.Cookies = cookies;
                if (csrfHeader)
                {
                    options.Headers["X-Requested-With"] = "XMLHttpRequest";
                }

                if (origin is not null)
                {
                    options.Headers["Origin"] = origin;
                }
            })
            .Build();
}
