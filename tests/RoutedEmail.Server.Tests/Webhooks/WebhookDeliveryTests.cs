using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;
using StandardWebhooks;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>Webhook deliveries from a real server to a receiver on 127.0.0.1, on a fake clock.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task Delivery_Received_VerifiesWithStandardWebhooks()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var secret = await setup.PutWebhookAsync("crm", "Received");

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the receiver gets the event");

        var request = Assert.Single(setup.Receiver.Requests);
        new StandardWebhook(secret).Verify(request.Body, request.Headers);
        Assert.Equal("Received", request.Type);
        Assert.Equal("e-1", request.EntityId);
        Assert.Equal(request.Id, request.Json["id"]!.GetValue<string>());
        var now = setup.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(long.Parse(request.Timestamp, System.Globalization.CultureInfo.InvariantCulture), now - 2, now);
        Assert.Equal("application/json", request.Headers.ContentType.ToString());
        Assert.DoesNotContain("Subject of e-1", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_WrongSecret_FailsVerification()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received");

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the receiver gets the event");

        var request = Assert.Single(setup.Receiver.Requests);
        var otherSecret = "whsec_" + Convert.ToBase64String(new byte[32]);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(
            () => new StandardWebhook(otherSecret).Verify(request.Body, request.Headers));
    }

    [Fact]
    public async Task Delivery_EventTypesFilter_SendsOnlyListedTypes()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Canceled");

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.Tenant.CancelAsync("e-1");
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the receiver gets the event");

        // Both events are read in one round, so a Received record would be listed too.
        var deliveries = await setup.GetDeliveriesAsync();
        var request = Assert.Single(setup.Receiver.Requests);
        Assert.Equal("Canceled", request.Type);
        Assert.Single(deliveries);
    }

    [Fact]
    public async Task Delivery_ServerErrors_RetriedWithSameId()
    {
        await using var setup = await WebhookSetup.StartAsync();
        var secret = await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, earlier) => (earlier < 2 ? 500 : 200, null);

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the first attempt");
        await setup.WaitUntilAsync(async () =>
            (await setup.GetDeliveriesAsync())[0]!["attempts"]!.GetValue<int>() == 1, "the attempt is stored");
        var afterFirst = Assert.Single(await setup.GetDeliveriesAsync());
        var storedAt = setup.Time.GetUtcNow();
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 3, "two retries");

        // The first retry waits at most FirstRetryDelay (5 s) after the attempt ends, with full jitter from zero.
        // The attempt starts at lastAttemptAt, but the fake clock may move in 1 s steps while it sends, so the
        // upper bound counts from the clock once the attempt was stored.
        Assert.Equal("Pending", afterFirst!["state"]!.GetValue<string>());
        Assert.Equal(1, afterFirst["attempts"]!.GetValue<int>());
        Assert.Equal(500, afterFirst["lastStatusCode"]!.GetValue<int>());
        var nextAttemptAt = afterFirst["nextAttemptAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(
            nextAttemptAt, afterFirst["lastAttemptAt"]!.GetValue<DateTimeOffset>(), storedAt + TimeSpan.FromSeconds(5));
        var requests = setup.Receiver.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Single(requests.Select(request => request.Id).Distinct());
        Assert.All(requests, request => new StandardWebhook(secret).Verify(request.Body, request.Headers));
        await setup.AdvanceUntilAsync(async () =>
            (await setup.GetDeliveriesAsync())[0]!["state"]!.GetValue<string>() == "Delivered", "Delivered");
        var delivered = (await setup.GetDeliveriesAsync())[0]!;
        Assert.Equal(3, delivered["attempts"]!.GetValue<int>());
        Assert.Equal(200, delivered["lastStatusCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delivery_RetryAfter_WaitsAsAsked()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, earlier) => earlier == 0 ? (503, "30") : (200, null);

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the first attempt");
        await setup.WaitUntilAsync(async () =>
            (await setup.GetDeliveriesAsync())[0]!["attempts"]!.GetValue<int>() == 1, "the attempt is stored");

        var record = (await setup.GetDeliveriesAsync())[0]!;
        var wait = record["nextAttemptAt"]!.GetValue<DateTimeOffset>()
            - record["lastAttemptAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(wait, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));
        Assert.Equal(503, record["lastStatusCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delivery_MaxAttempts_DeadLetterThenReplay()
    {
        await using var setup = await WebhookSetup.StartAsync(maxAttempts: 3);
        await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, _) => (500, null);

        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"), setup.Tenant.Item("e-2"));
        await setup.AdvanceUntilAsync(async () => (await setup.GetDeliveriesAsync("crm", "DeadLetter")).Count == 2,
            "both deliveries are dead letters", TimeSpan.FromSeconds(5));
        var deadLetters = await setup.GetDeliveriesAsync("crm", "DeadLetter");
        var attemptsBefore = setup.Receiver.Requests.Count;
        setup.Receiver.Respond = (_, _) => (200, null);
        var first = deadLetters[1]!["id"]!.GetValue<long>();
        using var replay = await setup.Server.Admin.PostAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries/{first}/replay", null);
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count > attemptsBefore, "the replay");
        using var replayAll = await setup.Server.Admin.PostAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries/replay-dead-letters", null);
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count(r => r.Succeeded) == 2, "both delivered");

        Assert.All(deadLetters, record => Assert.Equal(3, record!["attempts"]!.GetValue<int>()));
        Assert.All(deadLetters, record => Assert.Equal(500, record!["lastStatusCode"]!.GetValue<int>()));
        Assert.Equal(6, attemptsBefore);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replayAll.Content.ReadFromJsonAsync<JsonObject>())!["replayed"]!.GetValue<int>());
        var succeeded = setup.Receiver.Requests.Where(r => r.Succeeded).Select(r => r.Id).ToList();
        var deadLetterIds = deadLetters.Select(record => record!["eventId"]!.GetValue<string>()).ToList();
        Assert.Equal(deadLetterIds.Order(), succeeded.Order());
        await setup.AdvanceUntilAsync(async () => (await setup.GetDeliveriesAsync("crm", "Delivered")).Count == 2,
            "both records are Delivered");
    }

    [Fact]
    public async Task Replay_PendingDelivery_Returns409()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received");
        setup.Receiver.Respond = (_, _) => (500, null);
        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the first attempt");
        var id = (await setup.GetDeliveriesAsync())[0]!["id"]!.GetValue<long>();

        using var replay = await setup.Server.Admin.PostAsync(
            $"{setup.Tenant.TenantPath}/webhooks/crm/deliveries/{id}/replay", null);

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
    }

    [Fact]
    public async Task Delivery_OrderPerEmail_HoldsUnderParallelSends()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received", "Canceled");

        // Every first attempt of a Received event fails, so its Canceled event must wait for the retry.
        setup.Receiver.Respond = (request, earlier) => (request.Type == "Received" && earlier == 0 ? 500 : 200, null);
        var entities = Enumerable.Range(1, 6).Select(index => $"e-{index}").ToList();
        await setup.Tenant.IngestAcceptedAsync([.. entities.Select(entity => setup.Tenant.Item(entity))]);
        foreach (var entity in entities)
        {
            await setup.Tenant.CancelAsync(entity);
        }

        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count(r => r.Succeeded) == 12,
            "every event is delivered");

        var requests = setup.Receiver.Requests;
        foreach (var entity in entities)
        {
            var ofEmail = requests.Where(request => request.EntityId == entity).ToList();
            var delivered = ofEmail.FindIndex(request => request.Type == "Received" && request.Succeeded);
            var canceled = ofEmail.FindIndex(request => request.Type == "Canceled");
            Assert.True(delivered >= 0, $"{entity}: Received was never delivered.");
            Assert.True(canceled > delivered, $"{entity}: Canceled was sent before Received was delivered.");
        }
    }

    [Fact]
    public async Task Delivery_Restart_LosesNothing()
    {
        await using var setup = await WebhookSetup.StartAsync();
        await setup.PutWebhookAsync("crm", "Received", "Canceled");
        setup.Receiver.Respond = (_, _) => (500, null);
        await setup.Tenant.IngestAcceptedAsync(setup.Tenant.Item("e-1"));
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count >= 1, "the first attempt");
        await setup.WaitUntilAsync(async () =>
            (await setup.GetDeliveriesAsync()).Any(d => d!["attempts"]!.GetValue<int>() == 1), "a failed attempt");
        await setup.Tenant.CancelAsync("e-1");

        await setup.RestartAsync();
        setup.Receiver.Respond = (_, _) => (200, null);
        await setup.AdvanceUntilAsync(() => setup.Receiver.Requests.Count(r => r.Succeeded) == 2,
            "both events are delivered after the restart");

        var succeeded = setup.Receiver.Requests.Where(r => r.Succeeded).ToList();
        Assert.Equal(["Received", "Canceled"], succeeded.Select(request => request.Type));
        var firstId = setup.Receiver.Requests[0].Id;
        Assert.Equal(firstId, succeeded[0].Id);
    }
}
