using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests;

/// <summary>The ingest response body: exactly the success body on 200, the error shape on every failure.</summary>
public sealed class IngestResponseTests
{
    [Fact]
    public async Task Ingest_ThreeItems_ReturnsSuccessAndQueuesAll()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(
            Scenario.Body(scenario.Item("ok-0"), scenario.Item("ok-1"), scenario.Item("ok-2")));

        await IngestAssert.SucceededAsync(response);
        Assert.Equal(3, (await scenario.GetQueueStatsAsync())["waiting"]!.GetValue<int>());
        Assert.Equal("Queued", (await scenario.FindEmailAsync("ok-2"))!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ingest_SeedExampleUnknownProperty_Ignored()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        var item = scenario.Item("extra-1");
        item["crmCaseNumber"] = 1234;

        using var response = await scenario.IngestAsync(Scenario.Body(item));

        await IngestAssert.SucceededAsync(response);
        Assert.NotNull(await scenario.FindEmailAsync("extra-1"));
    }

    [Theory]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task Ingest_Utf8ContentTypeVariants_Accepted(string contentType)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync("[]", request =>
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Scenario.Body(scenario.Item("utf8-1"))));
            Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        });

        await IngestAssert.SucceededAsync(response);
        Assert.NotNull(await scenario.FindEmailAsync("utf8-1"));
    }

    [Fact]
    public async Task Ingest_DiskFails_Returns503InIngestShape()
    {
        var failure = new SqliteException("SQLite Error 10: 'disk I/O error'.", 10);
        await using var server = await TestServer.StartAsync(
            services: services => services.AddSingleton<IIngestStore>(new FailingIngestStore(failure)));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(Scenario.Body(scenario.Item("fail-1")));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Contains("nothing of the request was stored", message, StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.ApiKey, message, StringComparison.Ordinal);
        Assert.DoesNotContain("disk I/O", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("fail-1");
    }

    [Fact]
    public async Task Ingest_StoreBug_Returns500InIngestShape()
    {
        var failure = new InvalidDataException("A stored value is malformed.");
        await using var server = await TestServer.StartAsync(
            services: services => services.AddSingleton<IIngestStore>(new FailingIngestStore(failure)));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await scenario.IngestAsync(Scenario.Body(scenario.Item("fail-1")));

        var message = await IngestAssert.RejectedAsync(response, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain(scenario.ApiKey, message, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed", message, StringComparison.Ordinal);
        await scenario.AssertNothingQueuedAsync("fail-1");
    }

    /// <summary>A store whose every call fails with the given exception.</summary>
    private sealed class FailingIngestStore(Exception failure) : IIngestStore
    {
        public Task<int> AppendAsync(
            long tenantId, IReadOnlyList<NewRoutedEmail> emails, DateTimeOffset retainedSince,
            CancellationToken cancellationToken) =>
            throw failure;

        public Task<IReadOnlySet<string>> FindRetriesAsync(
            long tenantId, IReadOnlyCollection<string> entityIds, DateTimeOffset retainedSince,
            CancellationToken cancellationToken) =>
            throw failure;
    }
}
