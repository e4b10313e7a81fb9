using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Every class of bad ingest input is rejected with a 4xx status in the ingest error shape, with a message that names
/// the item and field, and nothing of the batch is queued. Item 0 of each batch is valid, so a partial write would show up as a queued email.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class IngestRejectionTests
{
    private const string ValidEntity = "entity-0";
    private const string BadEntity = "entity-1";

    private sealed record BadBody(HttpStatusCode Status, string[] Fragments, Func<Scenario, Task<string>> BuildAsync);

    private static readonly Dictionary<string, BadBody> BadBodies = new()
    {
        ["bad JSON"] = new(HttpStatusCode.BadRequest, ["not valid JSON"],
            s => Task.FromResult($"[{s.Item(ValidEntity).ToJsonString()}, {{\"platform\": ")),
        ["empty array"] = new(HttpStatusCode.BadRequest, ["empty array"], _ => Task.FromResult("[]")),
        ["object instead of array"] = new(HttpStatusCode.BadRequest, ["not an array"],
            s => Task.FromResult(s.Item(ValidEntity).ToJsonString())),
        ["missing field"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"subject\"", "missing"],
            s => Batch(s, item => item.Remove("subject"))),
        ["null field"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"subject\"", "null"],
            s => Batch(s, item => item["subject"] = null)),
        ["number instead of string"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"subject\"", "number"],
            s => Batch(s, item => item["subject"] = 42)),
        ["subject of 999 characters"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"subject\"", "998"],
            s => Batch(s, item => item["subject"] = new string('x', 999))),
        ["11 attributes"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"attributes\"", "10"],
            s => Batch(s, item => item["attributes"] = Attributes(Enumerable.Range(1, 11).Select(i => $"k{i}")))),
        ["duplicate attribute key"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"attributes[1].key\""],
            s => Batch(s, item => item["attributes"] = Attributes(["CustomerId", "CustomerId"]))),
        ["repeated property"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"subject\"", "more than once"],
            s => Task.FromResult(
                $"[{s.Item(ValidEntity).ToJsonString()}, " +
                $"{s.Item(BadEntity).ToJsonString().Replace("{", "{\"subject\":\"first\",", StringComparison.Ordinal)}]")),
        ["unknown ownerId"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"ownerId\"", "NoSuchOwner"],
            s => Batch(s, item => item["ownerId"] = "NoSuchOwner")),
        ["disabled configuration"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"ownerId\"", "disabled"],
            async s =>
            {
                await s.PutAsync("routed-email-configurations/Paused", new { skillQueue = "Parts", enabled = false });
                return await Batch(s, item => item["ownerId"] = "Paused");
            }),
        ["platform mismatch"] = new(HttpStatusCode.BadRequest, ["Item 1, field \"platform\""],
            s => Batch(s, item => item["platform"] = "Genesys Cloud")),
        ["companyCode of another tenant"] = new(HttpStatusCode.Forbidden, ["Item 1, field \"companyCode\""],
            async s =>
            {
                await Scenario.CreateAsync(s.Server, "xyz-widgets", "prod");
                return await Batch(s, item => item["companyCode"] = "xyz-widgets");
            }),
        ["environment of another tenant"] = new(HttpStatusCode.Forbidden, ["Item 1, field \"environment\""],
            async s =>
            {
                await Scenario.CreateAsync(s.Server, s.CompanyCode, "test");
                return await Batch(s, item => item["environment"] = "test");
            }),
    };

    public static TheoryData<string> BadBodyNames => [.. BadBodies.Keys];

    [Theory]
    [MemberData(nameof(BadBodyNames))]
    public async Task Ingest_BadBody_RejectsAndQueuesNothing(string name)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var bad = BadBodies[name];
        var body = await bad.BuildAsync(scenario);

        using var response = await scenario.IngestAsync(body);

        var message = await IngestAssert.RejectedAsync(response, bad.Status);
        foreach (var fragment in bad.Fragments)
        {
            Assert.Contains(fragment, message, StringComparison.Ordinal);
        }

        await scenario.AssertNothingQueuedAsync(ValidEntity, BadEntity);
    }

    [Fact]
    public async Task Ingest_ThirdItemInvalid_QueuesNone()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var third = scenario.Item("batch-2");
        third["toAddress"] = 7;

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("batch-0"), scenario.Item("batch-1"), third));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Item 2, field \"toAddress\"", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("batch-0", "batch-1", "batch-2");
    }

    [Fact]
    public async Task Ingest_ThirdItemUnknownOwner_QueuesNone()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(Scenario.Body(
            scenario.Item("batch-0"), scenario.Item("batch-1"), scenario.Item("batch-2", ownerId: "NoSuchOwner")));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Item 2, field \"ownerId\"", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("batch-0", "batch-1", "batch-2");
    }

    [Fact]
    public async Task Ingest_BodyOver8MiB_Returns413()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(PaddedBody(scenario));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("8388608 bytes", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync(ValidEntity);
    }

    [Fact]
    public async Task Ingest_ChunkedBodyOver8MiB_Returns413()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync("[]", request =>
            request.Content = new UnknownLengthContent(Encoding.UTF8.GetBytes(PaddedBody(scenario))));

        await IngestAssert.RejectedAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await scenario.AssertNothingQueuedAsync(ValidEntity);
    }

    [Fact]
    public async Task Ingest_Latin1Charset_Returns415()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync("[]", request => request.Content =
            new StringContent(Scenario.Body(scenario.Item(ValidEntity)), Encoding.Latin1, "application/json"));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("iso-8859-1", message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync(ValidEntity);
    }

    [Fact]
    public async Task Ingest_InvalidUtf8Bytes_Returns400()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var item = scenario.Item(ValidEntity);
        item["subject"] = "caf@@";
        var bytes = Encoding.UTF8.GetBytes(Scenario.Body(item));
        var marker = Array.IndexOf(bytes, (byte)'@');
        bytes[marker] = 0xC3;
        bytes[marker + 1] = 0x28;

        using var response = await scenario.IngestAsync("[]", request =>
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        });

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid UTF-8", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync(ValidEntity);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Ingest_WrongMethod_Returns405Json(string method)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        using var request = new HttpRequestMessage(new HttpMethod(method), Scenario.IngestPath);
        scenario.AddIntegratorHeaders(request);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new JsonArray(scenario.Item(ValidEntity)));
        }

        using var client = server.CreateClient();
        using var response = await client.SendAsync(request);

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains(method, message, StringComparison.Ordinal);
        Assert.Contains("POST", response.Content.Headers.Allow);
        await scenario.AssertNothingQueuedAsync(ValidEntity);
    }

    [Fact]
    public async Task Ingest_HeadMethod_Returns405()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, Scenario.IngestPath);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    private static Task<string> Batch(Scenario scenario, Action<JsonObject> spoil)
    {
        var bad = scenario.Item(BadEntity);
        spoil(bad);
        return Task.FromResult(Scenario.Body(scenario.Item(ValidEntity), bad));
    }

    private static JsonArray Attributes(IEnumerable<string> keys) =>
        [.. keys.Select(key => new JsonObject { ["key"] = key, ["value"] = "v" })];

    /// <summary>A valid one-item batch padded with JSON whitespace to just over 8 MiB.</summary>
    private static string PaddedBody(Scenario scenario) =>
        "[" + scenario.Item(ValidEntity).ToJsonString() + new string(' ', 8 * 1024 * 1024) + "]";

    /// <summary>Content that does not announce its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
