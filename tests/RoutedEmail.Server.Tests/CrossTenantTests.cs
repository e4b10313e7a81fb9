using System.Net;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>One tenant's API key and headers never reach another tenant's email.</summary>
public sealed class CrossTenantTests
{
    private const string SharedEntity = "shared-entity-1";

    [Fact]
    public async Task OtherTenantKey_ReadCancelIngest_Returns401()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await Scenario.CreateAsync(server, "abc-gadgets");
        var tenantB = await Scenario.CreateAsync(server, "xyz-widgets");
        await tenantA.IngestAcceptedAsync(tenantA.Item(SharedEntity));
        var withKeyOfB = WithApiKey(tenantB.ApiKey);

        using var read = await tenantA.SendIntegratorAsync(HttpMethod.Get, SharedEntity, withKeyOfB);
        using var cancel = await tenantA.SendIntegratorAsync(HttpMethod.Delete, SharedEntity, withKeyOfB);
        using var ingest = await tenantA.IngestAsync(Scenario.Body(tenantA.Item("intruder-1")), withKeyOfB);

        await IngestAssert.ProblemAsync(read, HttpStatusCode.Unauthorized);
        await IngestAssert.ProblemAsync(cancel, HttpStatusCode.Unauthorized);
        var message = await IngestAssert.RejectedAsync(ingest, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(tenantB.ApiKey, message, StringComparison.Ordinal);
        Assert.Equal("Queued", (await tenantA.FindEmailAsync(SharedEntity))!["state"]!.GetValue<string>());
        Assert.Null(await tenantA.FindEmailAsync("intruder-1"));
    }

    [Fact]
    public async Task OtherTenantHeaders_SameEntityId_Returns404()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await Scenario.CreateAsync(server, "abc-gadgets");
        var tenantB = await Scenario.CreateAsync(server, "xyz-widgets");
        await tenantA.IngestAcceptedAsync(tenantA.Item(SharedEntity));

        using var read = await tenantB.SendIntegratorAsync(HttpMethod.Get, SharedEntity);
        using var cancel = await tenantB.SendIntegratorAsync(HttpMethod.Delete, SharedEntity);

        await IngestAssert.ProblemAsync(read, HttpStatusCode.NotFound);
        await IngestAssert.ProblemAsync(cancel, HttpStatusCode.NotFound);
        Assert.Equal("Queued", (await tenantA.FindEmailAsync(SharedEntity))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task OtherTenantItems_OwnKey_Returns403()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await Scenario.CreateAsync(server, "abc-gadgets");
        var tenantB = await Scenario.CreateAsync(server, "xyz-widgets");

        using var ingest = await tenantB.IngestAsync(Scenario.Body(tenantA.Item("intruder-1")));

        var message = await IngestAssert.RejectedAsync(ingest, HttpStatusCode.Forbidden);
        Assert.Contains("Item 0, field \"companyCode\"", message, StringComparison.Ordinal);
        await tenantA.AssertNothingQueuedAsync("intruder-1");
        await tenantB.AssertNothingQueuedAsync("intruder-1");
    }

    [Fact]
    public async Task SameEntityId_TwoTenants_TwoSeparateEmails()
    {
        await using var server = await TestServer.StartAsync();
        var tenantA = await Scenario.CreateAsync(server, "abc-gadgets");
        var tenantB = await Scenario.CreateAsync(server, "xyz-widgets");
        await tenantA.IngestAcceptedAsync(tenantA.Item(SharedEntity));

        await tenantB.IngestAcceptedAsync(tenantB.Item(SharedEntity));
        await tenantB.CancelAsync(SharedEntity);

        var emailOfA = await tenantA.FindEmailAsync(SharedEntity);
        var emailOfB = await tenantB.FindEmailAsync(SharedEntity);
        Assert.NotEqual(emailOfA!["emailId"]!.GetValue<long>(), emailOfB!["emailId"]!.GetValue<long>());
        Assert.Equal("Queued", emailOfA["state"]!.GetValue<string>());
        Assert.Equal("Canceled", emailOfB["state"]!.GetValue<string>());
        Assert.Equal(1, (await tenantA.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    private static Action<HttpRequestMessage> WithApiKey(string apiKey) => request =>
    {
        request.Headers.Remove("X-sc-company-api-key");
        request.Headers.Add("X-sc-company-api-key", apiKey);
    };
}
