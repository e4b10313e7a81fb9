using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>GET and DELETE of /api/v1/routed-emails/{entityId}: the routed email shape and cancelling.</summary>
public sealed class IntegratorApiTests
{
    private const string SeedEntity = "e94c0a8a-0b69-11ec-9a03-0242ac130003";

    [Fact]
    public async Task Get_QueuedEmail_ReturnsContractShape()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        using var ingest = await scenario.IngestAsync(Scenario.SeedExample);
        await IngestAssert.SucceededAsync(ingest);

        using var response = await scenario.SendIntegratorAsync(HttpMethod.Get, SeedEntity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var email = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        string[] fields =
        [
            "emailId", "entityId", "state", "ownerId", "skillQueue", "priority", "agentId", "fromAddress",
            "toAddress", "subject", "attributes", "enqueuedAt", "history",
        ];
        Assert.All(fields, field => Assert.True(email.ContainsKey(field), $"missing field {field}"));
        Assert.Equal(JsonValueKind.Number, email["emailId"]!.GetValueKind());
        Assert.Equal(SeedEntity, email["entityId"]!.GetValue<string>());
        Assert.Equal("Queued", email["state"]!.GetValue<string>());
        Assert.Equal("USPartsSpanish", email["ownerId"]!.GetValue<string>());
        Assert.Equal("Parts", email["skillQueue"]!.GetValue<string>());
        Assert.Equal(0, email["priority"]!.GetValue<int>());
        Assert.Null(email["agentId"]);
        Assert.Equal("jtaylor@gmail.com", email["fromAddress"]!.GetValue<string>());
        Assert.Equal("parts@gadgets.com", email["toAddress"]!.GetValue<string>());
        Assert.Equal("Replacement part for Model X45T", email["subject"]!.GetValue<string>());
        Assert.Equal(
            """[{"key":"CustomerId","value":"7762123-01"},{"key":"Class","value":"Commercial"}]""",
            email["attributes"]!.ToJsonString());
        var enqueuedAt = email["enqueuedAt"]!.GetValue<DateTimeOffset>();
        var history = Assert.Single(email["history"]!.AsArray())!.AsObject();
        Assert.Equal(["at", "event", "agentId"], history.Select(property => property.Key));
        Assert.Equal(enqueuedAt, history["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("Received", history["event"]!.GetValue<string>());
        Assert.Null(history["agentId"]);
    }

    [Theory]
    [InlineData("case/123")]
    [InlineData("a%2Fb")]
    [InlineData("a%b c?d#e")]
    [InlineData("caf\u00e9-\U0001F600")]
    public async Task Get_EntityIdNeedingEscapes_FindsEmail(string entityId)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item(entityId), scenario.Item("case-123"), scenario.Item("a/b"));

        var email = await scenario.FindEmailAsync(entityId);
        var canceled = await scenario.CancelAsync(entityId);

        Assert.Equal(entityId, email?["entityId"]?.GetValue<string>());
        Assert.Equal(entityId, canceled["entityId"]!.GetValue<string>());
        Assert.Equal(2, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Get_UnknownEntity_Returns404Problem()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.SendIntegratorAsync(HttpMethod.Get, "no-such-entity");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such-entity", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_MissingApiKey_Returns401Problem()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("secret-1"));

        using var response = await scenario.SendIntegratorAsync(
            HttpMethod.Get, "secret-1", request => request.Headers.Remove("X-sc-company-api-key"));

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("X-sc-company-api-key", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_QueuedEmail_Cancels()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("queued-1"));

        var canceled = await scenario.CancelAsync("queued-1");

        Assert.Equal("Canceled", canceled["state"]!.GetValue<string>());
        Assert.Equal(["Received", "Canceled"], Events(canceled));
        Assert.Equal("Canceled", (await scenario.FindEmailAsync("queued-1"))!["state"]!.GetValue<string>());
        Assert.Equal(0, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_OfferedEmail_WithdrawsOfferAndOffersNext()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("first-1"));
        await scenario.IngestAcceptedAsync(scenario.Item("second-1"));
        await agent.SetStatusAsync("Available");
        await agent.WaitForOfferOfAsync("first-1");

        var canceled = await scenario.CancelAsync("first-1");
        var work = await agent.GetWorkAsync();

        Assert.Equal("Canceled", canceled["state"]!.GetValue<string>());
        Assert.DoesNotContain("first-1", AgentApi.Offers(work).Select(AgentApi.EntityIdOf));
        await agent.WaitForOfferOfAsync("second-1");
    }

    [Fact]
    public async Task Delete_ActiveEmail_RemovesWorkAndOffersNext()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("first-1"));
        await scenario.IngestAcceptedAsync(scenario.Item("second-1"));
        await agent.SetStatusAsync("Available");
        await agent.AcceptAsync(await agent.WaitForOfferOfAsync("first-1"));

        var canceled = await scenario.CancelAsync("first-1");
        var work = await agent.GetWorkAsync();

        Assert.Equal("Canceled", canceled["state"]!.GetValue<string>());
        Assert.Equal(["Received", "Offered", "Accepted", "Canceled"], Events(canceled));
        Assert.Empty(AgentApi.Emails(work));
        await agent.WaitForOfferOfAsync("second-1");
    }

    [Fact]
    public async Task Delete_CompletedEmail_Returns409()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item("done-1"));
        await agent.SetStatusAsync("Available");
        await agent.AcceptAndCompleteAsync(await agent.WaitForOfferOfAsync("done-1"));

        using var response = await scenario.SendIntegratorAsync(HttpMethod.Delete, "done-1");

        await IngestAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("Completed", (await scenario.FindEmailAsync("done-1"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_Twice_ReturnsCanceledAgain()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("twice-1"));

        var first = await scenario.CancelAsync("twice-1");
        var second = await scenario.CancelAsync("twice-1");

        Assert.Equal("Canceled", second["state"]!.GetValue<string>());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Single(Events(second), type => type == "Canceled");
    }

    [Fact]
    public async Task Delete_UnknownEntity_Returns404()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.SendIntegratorAsync(HttpMethod.Delete, "no-such-entity");

        await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    private static string[] Events(JsonObject email) =>
        [.. email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>())];
}
