using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The ?entityId= form of the integrator API, for entity ids that a path segment cannot carry.</summary>
public sealed class IntegratorQueryTests
{
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("case/42")]
    [InlineData("50% off?")]
    public async Task GetByQuery_AnyEntityId_FindsEmail(string entityId)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item(entityId));

        using var response = await SendAsync(scenario, HttpMethod.Get, $"?entityId={Uri.EscapeDataString(entityId)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var email = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(entityId, email!["entityId"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeleteByQuery_DotEntityId_Cancels()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item(".."));

        using var response = await SendAsync(scenario, HttpMethod.Delete, "?entityId=..");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var email = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Canceled", email!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetByQuery_NoEntityId_ProblemNamesFix()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await SendAsync(scenario, HttpMethod.Get, string.Empty);

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("?entityId=", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetByQuery_WrongKey_Unauthorized()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));

        using var response = await SendAsync(scenario, HttpMethod.Get, "?entityId=e-1", request =>
        {
            request.Headers.Remove("X-sc-company-api-key");
            request.Headers.Add("X-sc-company-api-key", "not-the-key");
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(
        Scenario scenario, HttpMethod method, string query, Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v1/routed-emails" + query);
        scenario.AddIntegratorHeaders(request);
        change?.Invoke(request);
        using var client = scenario.Server.CreateClient();
        return await client.SendAsync(request);
    }
}
