using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Re-sending an entityId is a retry while its email is open, and for the idempotency window (default 24 hours)
/// after it closed. After the window the same entityId starts a new email.
/// </summary>
public sealed class IngestIdempotencyTests
{
    [Fact]
    public async Task Resend_WhileOpen_ChangesNothing()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("retry-1"));
        var before = await scenario.FindEmailAsync("retry-1");
        var changed = scenario.Item("retry-1");
        changed["subject"] = "A different subject";

        await scenario.IngestAcceptedAsync(changed);

        var after = await scenario.FindEmailAsync("retry-1");
        Assert.Equal(before!.ToJsonString(), after!.ToJsonString());
        Assert.Equal("Subject of retry-1", after["subject"]!.GetValue<string>());
        Assert.Equal(1, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resend_InOneBatch_MakesOneEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        await scenario.IngestAcceptedAsync(scenario.Item("twin-1"), scenario.Item("twin-1"), scenario.Item("other-1"));

        var email = await scenario.FindEmailAsync("twin-1");
        Assert.Equal(["Received"], Events(email!));
        Assert.Equal(2, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resend_TwentyConcurrent_MakesOneEmail()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var body = Scenario.Body(scenario.Item("burst-1"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => scenario.IngestAsync(body)));

        foreach (var response in responses)
        {
            await IngestAssert.SucceededAsync(response);
            response.Dispose();
        }

        Assert.Equal(["Received"], Events((await scenario.FindEmailAsync("burst-1"))!));
        Assert.Equal(1, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resend_AfterOwnerDisabled_StillSucceeds()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("retry-1"));
        var before = await scenario.FindEmailAsync("retry-1");
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new { skillQueue = "Parts", enabled = false });

        // The first response may have been lost, so the client cannot tell that the email is already queued.
        using var response = await scenario.IngestAsync(Scenario.Body(scenario.Item("retry-1")));

        await IngestAssert.SucceededAsync(response);
        Assert.Equal(before!.ToJsonString(), (await scenario.FindEmailAsync("retry-1"))!.ToJsonString());
    }

    [Fact]
    public async Task Resend_WithinWindowAfterCompletion_ChangesNothing()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await CompleteOneEmailAsync(scenario, "done-1");
        var completed = await scenario.FindEmailAsync("done-1");

        time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1));
        await scenario.IngestAcceptedAsync(scenario.Item("done-1"));

        var after = await scenario.FindEmailAsync("done-1");
        Assert.Equal(completed!.ToJsonString(), after!.ToJsonString());
        Assert.Equal("Completed", after["state"]!.GetValue<string>());
        Assert.Equal(0, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resend_AfterWindow_CreatesNewEmail()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(time: time);
        var scenario = await Scenario.CreateAsync(server);
        await CompleteOneEmailAsync(scenario, "done-1");
        var completed = await scenario.FindEmailAsync("done-1");

        time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await scenario.IngestAcceptedAsync(scenario.Item("done-1"));

        var newest = await scenario.FindEmailAsync("done-1");
        Assert.NotEqual(completed!["emailId"]!.GetValue<long>(), newest!["emailId"]!.GetValue<long>());
        Assert.Equal("Queued", newest["state"]!.GetValue<string>());
        Assert.Equal(["Received"], Events(newest));
        Assert.Equal(time.GetUtcNow(), newest["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resend_CanceledAfterWindow_CreatesNewEmail()
    {
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(
            time: time, settings: new Dictionary<string, string> { ["Ingest:IdempotencyWindow"] = "01:00:00" });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.IngestAcceptedAsync(scenario.Item("cancel-1"));
        var canceled = await scenario.CancelAsync("cancel-1");

        time.Advance(TimeSpan.FromMinutes(59));
        await scenario.IngestAcceptedAsync(scenario.Item("cancel-1"));
        var withinWindow = await scenario.FindEmailAsync("cancel-1");
        time.Advance(TimeSpan.FromMinutes(2));
        await scenario.IngestAcceptedAsync(scenario.Item("cancel-1"));
        var afterWindow = await scenario.FindEmailAsync("cancel-1");

        Assert.Equal(canceled.ToJsonString(), withinWindow!.ToJsonString());
        Assert.NotEqual(canceled["emailId"]!.GetValue<long>(), afterWindow!["emailId"]!.GetValue<long>());
        Assert.Equal("Queued", afterWindow["state"]!.GetValue<string>());
    }

    private static async Task CompleteOneEmailAsync(Scenario scenario, string entityId)
    {
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await scenario.IngestAcceptedAsync(scenario.Item(entityId));
        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync(entityId);
        await agent.AcceptAndCompleteAsync(offer);

        // Offline, so that a new email of the same entityId stays Queued where the test can see it.
        await agent.SetStatusAsync("Offline");
    }

    private static string[] Events(JsonObject email) =>
        [.. email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>())];
}
