using System.Net;
using System.Net.Http.Headers;
using CsCheck;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tests.Ingest.Fuzz;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoutedEmail.Server.Tests.Limits;

/// <summary>
/// Fuzzes the real ingest endpoint on Kestrel with valid and mutated batches, one at a time. Every response is 200
/// or a 4xx in the ingest error shape. A rejected batch queues nothing, and an accepted batch queues each new entity
/// id. The bounded run sends a few hundred requests; <c>ROUTED_EMAIL_FUZZ_SECONDS</c> runs it for that many
/// seconds. A failing input is saved with the core tests' regression files, which replay it on the parser.
/// </summary>
public sealed class IngestFuzzHttpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ingest_MutatedBatches_AllOrNothing()
    {
        // The rate limits are off, because a long run sends more than a contact center would.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["RateLimits:Ingest:PermitLimit"] = "0",
            ["RateLimits:Api:PermitLimit"] = "0",
        });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Billing", new { });
        await scenario.PutAsync("routed-email-configurations/Billing", new { skillQueue = "Billing" });
        var queued = new HashSet<string>(StringComparer.Ordinal);
        var failure = new ShortestFailure();

        try
        {
            // One thread, because each case compares the queue counts before and after its own request.
            IngestFuzzGen.Cases.Sample(
                fuzzCase => failure.Run(fuzzCase.Body(), body =>
                    Task.Run(() => CheckAsync(scenario, body, queued)).GetAwaiter().GetResult()),
                writeLine: output.WriteLine, iter: FuzzBudget.Iterations(300), time: FuzzBudget.Seconds,
                threads: 1);
        }
        catch (Exception exception)
        {
            var keptPath = failure.Keep();
            throw new Xunit.Sdk.XunitException(
                $"The fuzz run failed; its shortest failing input is saved as {keptPath}. {exception.Message}");
        }
    }

    private static async Task CheckAsync(Scenario scenario, byte[] body, HashSet<string> queued)
    {
        var before = await CountQueuedAsync(scenario);
        using var response = await scenario.IngestAsync("[]", request =>
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        });
        var parsed = RoutedEmailBatchParser.Parse(body);
        var after = await CountQueuedAsync(scenario);

        if (response.StatusCode == HttpStatusCode.OK)
        {
            await IngestAssert.SucceededAsync(response);
            Assert.Null(parsed.Error);
            var added = parsed.Requests.Select(request => request.EntityId).Where(queued.Add).Count();
            Assert.Equal(before + added, after);
            return;
        }

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"Expected 200 or a 4xx, got {status}.");
        var message = await IngestAssert.RejectedAsync(response, response.StatusCode);
        if (parsed.Error is { } error)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(error.Message, message);
        }
        else
        {
            Assert.StartsWith("Item ", message, StringComparison.Ordinal);
        }

        Assert.Equal(before, after);
    }

    private static async Task<int> CountQueuedAsync(Scenario scenario)
    {
        var stats = await scenario.GetStatsAsync();
        return stats["queues"]!.AsArray().Sum(queue => queue!["waiting"]!.GetValue<int>());
    }
}
