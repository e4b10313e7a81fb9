using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// Kills the server process with SIGKILL while an agent has a pending offer and an email in Wrap, and restarts it on
/// the same data directory. Both stored deadlines must then fire at once when they passed during the downtime, and at
/// their stored time when they had not.
/// </summary>
/// <remarks>
/// A child process cannot use a fake clock, so these tests wait in real time and poll the API. The exact timing rules
/// are covered with <c>FakeTimeProvider</c> in the in-process offer expiry and wrap tests.
/// </remarks>
[Collection(nameof(CrashCollection))]
public sealed class DeadlineRestartTests(ITestOutputHelper output)
{
    private const string CompanyCode = "deadline-test";
    private const string Environment = "prod";
    private const string AgentId = "agent-a";
    private const string AgentPassword = "password-agent-a";
    private const string PendingEntityId = "pending-1";
    private const string WrapEntityId = "wrap-1";
    private const string QueuedEntityId = "queued-1";

    // How late a deadline may fire, for the deadline service's loop and the polling of these tests.
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private static readonly string[] EntityIds = [PendingEntityId, WrapEntityId, QueuedEntityId];

    [Fact]
    public async Task Deadlines_OverdueAtRestart_FireAtOnce()
    {
        await RunInDataDirectoryAsync(async dataDirectory =>
        {
            await using var server = await ServerProcess.StartAsync(dataDirectory);
            var setup = await SetUpAsync(server, offerTimeoutSeconds: 5, wrapSeconds: 5);
            server.Kill();

            // Both deadlines pass while no process runs, so only the restarted process can fire them.
            var latest = setup.OfferExpiresAt > setup.WrapEndsAt ? setup.OfferExpiresAt : setup.WrapEndsAt;
            var downtime = latest - Now() + TimeSpan.FromMilliseconds(250);
            if (downtime > TimeSpan.Zero)
            {
                await Task.Delay(downtime);
            }

            var restartedAt = Now();
            await using var restarted = await ServerProcess.StartAsync(dataDirectory);
            var readyAt = Now();
            output.WriteLine($"Restarted at {restartedAt:O}, ready at {readyAt:O}; the offer expired at " +
                $"{setup.OfferExpiresAt:O} and the wrap time ended at {setup.WrapEndsAt:O}.");

            using var http = restarted.CreateClient();
            var (pending, wrapped) = await WaitForDeadlinesAsync(new TenantClient(http, setup.Tenant));

            var expiredAt = EventTime(pending, "OfferExpired");
            var completedAt = EventTime(wrapped, "Completed");
            output.WriteLine($"The offer expired at {expiredAt:O} and the wrap ended at {completedAt:O}.");
            Assert.True(expiredAt >= restartedAt,
                $"The offer expired at {expiredAt:O}, before the restart at {restartedAt:O}, so the killed process " +
                "fired it and the test checked no restart.");
            Assert.True(expiredAt <= readyAt + Tolerance,
                $"The overdue offer expired at {expiredAt:O}; expected within {Tolerance.TotalSeconds} s of the " +
                $"server being ready at {readyAt:O}.");

            Assert.True(completedAt >= restartedAt,
                $"The wrap ended at {completedAt:O}, before the restart at {restartedAt:O}, so the killed process " +
                "ended it and the test checked no restart.");
            Assert.True(completedAt <= readyAt + Tolerance,
                $"The overdue wrap ended at {completedAt:O}; expected within {Tolerance.TotalSeconds} s of the " +
                $"server being ready at {readyAt:O}.");

            await AssertNothingLostAsync(http, setup);
        });
    }

    [Fact]
    public async Task Deadlines_DueAfterRestart_FireAtStoredTime()
    {
        const int offerTimeoutSeconds = 8;

        // The wrap ends after the offer expires, so the agent is Missed before its slot frees and the queued email
        // stays Queued, as in the overdue test.
        const int wrapSeconds = 9;

        await RunInDataDirectoryAsync(async dataDirectory =>
        {
            await using var server = await ServerProcess.StartAsync(dataDirectory);
            var setup = await SetUpAsync(server, offerTimeoutSeconds, wrapSeconds);

            // The kill waits until the offer is older than the tolerance, so a restart that starts the full timeout
            // again would fire later than the tolerance allows.
            var offeredAt = setup.OfferExpiresAt - TimeSpan.FromSeconds(offerTimeoutSeconds);
            var untilKill = offeredAt + Tolerance + TimeSpan.FromSeconds(1) - Now();
            if (untilKill > TimeSpan.Zero)
            {
                await Task.Delay(untilKill);
            }

            server.Kill();
            var restartedAt = Now();
            await using var restarted = await ServerProcess.StartAsync(dataDirectory);
            var readyAt = Now();
            output.WriteLine($"Restarted at {restartedAt:O}, ready at {readyAt:O}; the offer expires at " +
                $"{setup.OfferExpiresAt:O} and the wrap time ends at {setup.WrapEndsAt:O}.");
            Assert.True(readyAt < setup.OfferExpiresAt,
                $"The restarted server was ready at {readyAt:O}, after the offer deadline {setup.OfferExpiresAt:O}, " +
                "so the test cannot check a deadline that is due after a restart. Rerun it on a less loaded machine.");

            using var http = restarted.CreateClient();
            var (pending, wrapped) = await WaitForDeadlinesAsync(new TenantClient(http, setup.Tenant));

            var expiredAt = EventTime(pending, "OfferExpired");
            var completedAt = EventTime(wrapped, "Completed");
            output.WriteLine($"The offer expired at {expiredAt:O} and the wrap ended at {completedAt:O}.");
            AssertFiredOnTime(expiredAt, "offer expiry", setup.OfferExpiresAt,
                restartedAt + TimeSpan.FromSeconds(offerTimeoutSeconds));
            AssertFiredOnTime(completedAt, "wrap end", setup.WrapEndsAt,
                restartedAt + TimeSpan.FromSeconds(wrapSeconds));
            await AssertNothingLostAsync(http, setup);
        });
    }

    // Creates agent A with two slots, one pending offer, one email in Wrap and one email left Queued, and reads the
    // stored deadlines and emails.
    private static async Task<DeadlineSetup> SetUpAsync(ServerProcess server, int offerTimeoutSeconds, int wrapSeconds)
    {
        using var http = server.CreateClient();
        var tenant = await TenantClient.CreateTenantAsync(http, ServerProcess.AdminToken, CompanyCode, Environment);
        await TenantClient.SendTenantAdminAsync(http, ServerProcess.AdminToken, tenant, HttpMethod.Put,
            $"skill-queues/{TenantClient.SkillQueue}", new { offerTimeoutSeconds, wrapSeconds });
        await TenantClient.SendTenantAdminAsync(http, ServerProcess.AdminToken, tenant, HttpMethod.Put,
            $"agents/{AgentId}", new
            {
                displayName = "Agent A",
                password = AgentPassword,
                maxConcurrentEmails = 2,
                skillQueues = new[] { new { name = TenantClient.SkillQueue, rank = 1 } },
            });

        var client = new TenantClient(http, tenant);
        var agentToken = await TenantClient.SignInAgentAsync(http, tenant, AgentId, AgentPassword);
        using var agent = CreateAgentClient(server, agentToken);
        await agent.SetStatusAsync("Available");

        await IngestAsync(client, PendingEntityId);
        var pendingOffer = await agent.WaitForOfferOfAsync(PendingEntityId);

        await IngestAsync(client, WrapEntityId);
        var offers = await agent.WaitForOffersAsync(2);
        var wrapOffer = Assert.Single(offers, offer => AgentApi.EntityIdOf(offer) == WrapEntityId);
        await agent.AcceptAndCompleteAsync(wrapOffer);

        // Both of the agent's slots are in use, so this email waits behind the pending one.
        await IngestAsync(client, QueuedEntityId);

        var emails = new Dictionary<string, JsonObject>();
        foreach (var entityId in EntityIds)
        {
            emails[entityId] = (await client.FindEmailAsync(entityId))!;
        }

        Assert.Equal("Offered", State(emails[PendingEntityId]));
        Assert.Equal("Wrap", State(emails[WrapEntityId]));
        Assert.Equal("Queued", State(emails[QueuedEntityId]));
        var offerExpiresAt = pendingOffer["expiresAt"]!.GetValue<DateTimeOffset>();
        var wrapEndsAt = emails[WrapEntityId]["wrapEndsAt"]!.GetValue<DateTimeOffset>();
        var earliest = offerExpiresAt < wrapEndsAt ? offerExpiresAt : wrapEndsAt;
        var setUpAt = Now();
        Assert.True(setUpAt < earliest,
            $"The setup ended at {setUpAt:O}, after the first deadline {earliest:O}, so the kill would come too " +
            "late. Rerun the test on a less loaded machine.");
        return new DeadlineSetup(tenant, agentToken, offerExpiresAt, wrapEndsAt, emails);
    }

    private static async Task IngestAsync(TenantClient client, string entityId)
    {
        using var response = await client.IngestAsync(client.BuildBody([entityId]));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body == TenantClient.SuccessBody,
            $"Ingest of {entityId} returned {(int)response.StatusCode} {body}; expected 200 SUCCESS.");
    }

    // Polls until the offer has expired and the wrap has ended, and returns the pending and wrapped emails.
    private static async Task<(JsonObject Pending, JsonObject Wrapped)> WaitForDeadlinesAsync(TenantClient client)
    {
        using var timeout = new CancellationTokenSource(PollTimeout);
        while (true)
        {
            var pending = (await client.FindEmailAsync(PendingEntityId))!;
            var wrapped = (await client.FindEmailAsync(WrapEntityId))!;
            if (State(pending) == "Queued" && State(wrapped) == "Completed")
            {
                return (pending, wrapped);
            }

            try
            {
                await Task.Delay(PollInterval, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {PollTimeout.TotalSeconds} s waiting for {PendingEntityId} to be " +
                    $"Queued and {WrapEntityId} to be Completed. Last seen: {pending.ToJsonString()} and " +
                    $"{wrapped.ToJsonString()}");
            }
        }
    }

    private static void AssertFiredOnTime(
        DateTimeOffset firedAt, string deadline, DateTimeOffset storedAt, DateTimeOffset fullTimeoutAfterRestart)
    {
        Assert.True(firedAt >= storedAt,
            $"The {deadline} fired at {firedAt:O}, before its stored time {storedAt:O}.");
        Assert.True(firedAt <= storedAt + Tolerance,
            $"The {deadline} fired at {firedAt:O}; expected within {Tolerance.TotalSeconds} s of its stored time " +
            $"{storedAt:O}.");
        Assert.True(firedAt < fullTimeoutAfterRestart,
            $"The {deadline} fired at {firedAt:O}, no earlier than the full timeout counted from the restart " +
            $"({fullTimeoutAfterRestart:O}), so the restart did not keep the stored deadline.");
    }

    // Checks the state after both deadlines: the offer's email is back in its place, the wrap email is Completed,
    // agent A is Missed, and each entity id is stored once.
    private static async Task AssertNothingLostAsync(HttpClient http, DeadlineSetup setup)
    {
        var client = new TenantClient(http, setup.Tenant);
        foreach (var entityId in EntityIds)
        {
            var email = await client.FindEmailAsync(entityId);
            Assert.True(email is not null, $"{entityId} is not found after the restart.");
            Assert.Equal(EmailId(setup.Emails[entityId]), EmailId(email));
        }

        var pending = (await client.FindEmailAsync(PendingEntityId))!;
        var before = setup.Emails[PendingEntityId];
        Assert.Equal("Queued", State(pending));
        Assert.Null(pending["agentId"]);
        Assert.Equal(before["priority"]!.GetValue<int>(), pending["priority"]!.GetValue<int>());
        Assert.Equal(before["enqueuedAt"]!.GetValue<DateTimeOffset>(), pending["enqueuedAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(before["attributes"]!.ToJsonString(), pending["attributes"]!.ToJsonString());
        Assert.Equal(1, pending["expiryCount"]!.GetValue<int>());
        Assert.Equal(["Received", "Offered", "OfferExpired"], Events(pending));

        var wrapped = (await client.FindEmailAsync(WrapEntityId))!;
        Assert.Equal("Completed", State(wrapped));
        Assert.Null(wrapped["wrapEndsAt"]);
        Assert.Equal(["Received", "Offered", "Accepted", "WrapStarted", "Completed"], Events(wrapped));

        var queued = (await client.FindEmailAsync(QueuedEntityId))!;
        Assert.Equal("Queued", State(queued));
        Assert.Equal(["Received"], Events(queued));

        // The expired email keeps its place ahead of the email that arrived after it.
        Assert.Equal(1, await PositionAsync(http, setup.Tenant, PendingEntityId));
        Assert.Equal(2, await PositionAsync(http, setup.Tenant, QueuedEntityId));

        var queueStats = await ReadQueueStatsAsync(http, setup.Tenant);
        Assert.Equal(2, queueStats["waiting"]!.GetValue<int>());
        Assert.Equal(0, queueStats["offered"]!.GetValue<int>());
        Assert.Equal(0, queueStats["active"]!.GetValue<int>());
        Assert.Equal(0, queueStats["wrap"]!.GetValue<int>());

        var agent = await TenantClient.SendTenantAdminAsync(
            http, ServerProcess.AdminToken, setup.Tenant, HttpMethod.Get, $"agents/{AgentId}");
        Assert.Equal("Missed", agent["status"]!.GetValue<string>());

        // The agent token was stored, so it still works, and the agent has no offers and no emails left.
        using var agentClient = new HttpClient { BaseAddress = http.BaseAddress, Timeout = http.Timeout };
        agentClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", setup.AgentToken);
        var work = await agentClient.GetWorkAsync();
        Assert.Equal("Missed", work["status"]!.GetValue<string>());
        Assert.Empty(AgentApi.Offers(work));
        Assert.Empty(AgentApi.Emails(work));
    }

    private static async Task<int> PositionAsync(HttpClient http, TenantCredentials tenant, string entityId)
    {
        var explanation = await TenantClient.SendTenantAdminAsync(http, ServerProcess.AdminToken, tenant,
            HttpMethod.Get, $"routed-emails/{entityId}/explanation");
        return explanation["position"]!.GetValue<int>();
    }

    private static async Task<JsonObject> ReadQueueStatsAsync(HttpClient http, TenantCredentials tenant)
    {
        var stats = await TenantClient.SendTenantAdminAsync(
            http, ServerProcess.AdminToken, tenant, HttpMethod.Get, "stats");
        return stats["queues"]!.AsArray()
            .Single(queue => queue!["name"]!.GetValue<string>() == TenantClient.SkillQueue)!.AsObject();
    }

    // Runs a test in a new data directory, deletes it when the test passes and keeps it for inspection otherwise.
    private async Task RunInDataDirectoryAsync(Func<string, Task> test)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-deadline-").FullName;
        try
        {
            await test(dataDirectory);
        }
        catch
        {
            output.WriteLine($"The data directory {dataDirectory} is kept for inspection.");
            throw;
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    private static HttpClient CreateAgentClient(ServerProcess server, string token)
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static DateTimeOffset Now() => TimeProvider.System.GetUtcNow();

    private static string State(JsonObject email) => email["state"]!.GetValue<string>();

    private static long EmailId(JsonObject email) => email["emailId"]!.GetValue<long>();

    private static string[] Events(JsonObject email) =>
        [.. email["history"]!.AsArray().Select(entry => entry!["event"]!.GetValue<string>())];

    private static DateTimeOffset EventTime(JsonObject email, string eventType) =>
        email["history"]!.AsArray().Single(entry => entry!["event"]!.GetValue<string>() == eventType)!["at"]!
            .GetValue<DateTimeOffset>();

    /// <summary>The tenant, the agent's token, the stored deadlines and the emails read before the kill.</summary>
    private sealed record DeadlineSetup(
        TenantCredentials Tenant, string AgentToken, DateTimeOffset OfferExpiresAt, DateTimeOffset WrapEndsAt,
        IReadOnlyDictionary<string, JsonObject> Emails);
}
