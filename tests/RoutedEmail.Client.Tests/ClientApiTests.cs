using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests;

/// <summary>The SDK against the real service in-process, with a fixed key: send, find, cancel, explain, errors.</summary>
public sealed class ClientApiTests
{
    [Fact]
    public async Task Send_SeedExample_IsQueuedWithAttributes()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();

        await client.SendAsync(SeedRequest());

        var email = await client.FindAsync(TestTenant.SeedEntityId);
        Assert.NotNull(email);
        Assert.Equal(RoutedEmailState.Queued, email.State);
        Assert.Equal(TestTenant.SkillQueue, email.SkillQueue);
        Assert.Equal(TestTenant.OwnerId, email.OwnerId);
        Assert.Equal("Replacement part for Model X45T", email.Subject);
        Assert.Equal(
            [new RoutedEmailAttributeValue("CustomerId", "7762123-01"), new("Class", "Commercial")],
            email.Attributes);
        Assert.Equal("Received", Assert.Single(email.History).Event);
    }

    [Fact]
    public async Task Send_SameEntityIdTwice_KeepsOneEmail()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();

        await client.SendAsync(SeedRequest());
        var first = await client.FindAsync(TestTenant.SeedEntityId);
        await client.SendAsync(SeedRequest());
        var second = await client.FindAsync(TestTenant.SeedEntityId);

        Assert.Equal(first!.EmailId, second!.EmailId);
    }

    [Fact]
    public async Task Send_Batch_QueuesEveryItem()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();

        await client.SendAsync([Request("batch-1"), Request("batch-2"), Request("batch/3")]);

        Assert.NotNull(await client.FindAsync("batch-1"));
        Assert.NotNull(await client.FindAsync("batch-2"));
        Assert.NotNull(await client.FindAsync("batch/3"));
    }

    [Fact]
    public async Task Find_UnknownEntityId_ReturnsNull()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);

        var email = await services.GetRequiredService<RoutedEmailClient>().FindAsync("never-sent");

        Assert.Null(email);
    }

    [Theory]
    [InlineData("case/123")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a%2Fb c?d#e")]
    [InlineData("caf\u00e9-\U0001F600")]
    [InlineData("explanation")]
    public async Task Find_EntityIdNeedingEscapes_FindsEmail(string entityId)
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();
        await client.SendAsync(Request(entityId));

        var email = await client.FindAsync(entityId);
        var explanation = await client.ExplainAsync(entityId);

        Assert.Equal(entityId, email?.EntityId);
        Assert.Equal(entityId, explanation?.EntityId);
    }

    [Fact]
    public async Task Cancel_QueuedEmail_ReturnsCanceledTwice()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();
        await client.SendAsync(SeedRequest());

        var first = await client.CancelAsync(TestTenant.SeedEntityId);
        var second = await client.CancelAsync(TestTenant.SeedEntityId);

        Assert.Equal(RoutedEmailState.Canceled, first.State);
        Assert.Equal(RoutedEmailState.Canceled, second.State);
    }

    [Fact]
    public async Task Cancel_UnknownEntityId_ThrowsNotFound()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().CancelAsync("never-sent"));

        Assert.Equal(HttpStatusCode.NotFound, exception.StatusCode);
        Assert.Contains("never-sent", exception.ServiceMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_QueuedEmail_ReturnsPosition()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var client = services.GetRequiredService<RoutedEmailClient>();
        await client.SendAsync(SeedRequest());

        var explanation = await client.ExplainAsync(TestTenant.SeedEntityId);

        Assert.NotNull(explanation);
        Assert.Equal("Queued", explanation.State);
        Assert.Equal(1, explanation.Position);
        Assert.False(string.IsNullOrWhiteSpace(explanation.Summary));
    }

    [Fact]
    public async Task Send_UnknownOwner_ThrowsWithServiceMessage()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant);
        var request = new RoutedEmailRequest("NoSuchOwner", "entity-1", "a@example.com", "b@example.com", "Hi");

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(request));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Contains("ownerId", exception.ServiceMessage, StringComparison.Ordinal);
        Assert.Contains(exception.ServiceMessage, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WrongKey_ThrowsAuthenticationFailure()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        await using var services = Services(server, tenant with { ApiKey = "not-the-key" });

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(SeedRequest()));

        Assert.True(exception.IsAuthenticationFailure);
        Assert.Contains("fixed by the ApiKey option", exception.Advice, StringComparison.Ordinal);
        Assert.EndsWith(exception.Advice, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secrets Manager once", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_KeyChecksRateLimited_ThrowsWithoutWaiting()
    {
        // A window of an hour makes Retry-After an hour, so a client that waited it out would hit the token's limit.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["ApiKeys:FailureLimit"] = "1",
            ["ApiKeys:FailureWindow"] = "01:00:00",
        });
        var tenant = await TestTenant.CreateAsync(server);
        await using var wrongKeyServices = Services(server, tenant with { ApiKey = "not-the-key" });
        await using var rightKeyServices = Services(server, tenant);
        var wrongKeyClient = wrongKeyServices.GetRequiredService<RoutedEmailClient>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var rejected = await Assert.ThrowsAsync<RoutedEmailException>(
            () => wrongKeyClient.SendAsync(SeedRequest(), limit.Token));
        var limited = await Assert.ThrowsAsync<RoutedEmailException>(
            () => wrongKeyClient.SendAsync(SeedRequest(), limit.Token));
        await rightKeyServices.GetRequiredService<RoutedEmailClient>().SendAsync(SeedRequest(), limit.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.False(rejected.IsKeyCheckRateLimited);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.IsKeyCheckRateLimited);
        Assert.True(limited.IsAuthenticationFailure);
        Assert.False(limited.IsTransient);
        Assert.Contains("fixed by the ApiKey option", limited.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html", "<html><body>Welcome</body></html>")]
    [InlineData("application/json", "{\"hello\":\"world\"}")]
    public async Task Send_ForeignServer200_ThrowsUnexpectedResponse(string contentType, string body)
    {
        await using var foreign = await ForeignEndpoint.StartAsync(200, contentType, body);
        await using var services = Services(foreign.BaseAddress, "abc-gadgets", "prod", "key", retries: 0);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(SeedRequest()));

        Assert.True(exception.IsUnexpectedResponse);
        Assert.False(exception.IsTransient);
        Assert.Contains("HTTP 200", exception.ServiceMessage, StringComparison.Ordinal);
        Assert.Contains(foreign.BaseAddress.GetLeftPart(UriPartial.Authority), exception.Advice,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "text/html", "<html><body>Not Found</body></html>")]
    [InlineData(200, "application/json", "{\"hello\":\"world\"}")]
    public async Task Find_ForeignServer_ThrowsUnexpectedResponse(int status, string contentType, string body)
    {
        await using var foreign = await ForeignEndpoint.StartAsync(status, contentType, body);
        await using var services = Services(foreign.BaseAddress, "abc-gadgets", "prod", "key", retries: 0);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().FindAsync("entity-1"));

        Assert.True(exception.IsUnexpectedResponse);
        Assert.DoesNotContain("LineNumber", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NothingListening_ThrowsWithoutStatus()
    {
        await using var services = Services(new Uri("http://127.0.0.1:9/"), "abc-gadgets", "prod", "key", retries: 0);

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(SeedRequest()));

        Assert.Null(exception.StatusCode);
        Assert.True(exception.IsTransient);
    }

    internal static RoutedEmailRequest SeedRequest() => new(
        TestTenant.OwnerId,
        TestTenant.SeedEntityId,
        "jtaylor@gmail.com",
        "parts@gadgets.com",
        "Replacement part for Model X45T",
        [new RoutedEmailAttribute("CustomerId", "7762123-01"), new RoutedEmailAttribute("Class", "Commercial")]);

    internal static RoutedEmailRequest Request(string entityId) =>
        new(TestTenant.OwnerId, entityId, "a@example.com", "b@example.com", "Subject " + entityId);

    private static ServiceProvider Services(TestServer server, TestTenant tenant) =>
        Services(server.BaseAddress, tenant.CompanyCode, tenant.Environment, tenant.ApiKey, retries: 3);

    private static ServiceProvider Services(
        Uri baseAddress, string company, string environment, string apiKey, int retries)
    {
        var services = new ServiceCollection();
        services.AddRoutedEmailClient(options =>
        {
            options.BaseAddress = baseAddress;
            options.CompanyCode = company;
            options.Environment = environment;
            options.SecretsRegion = TestTenant.SecretsRegion;
            options.ApiKey = apiKey;
            options.MaxRetryAttempts = retries;
        });
        return services.BuildServiceProvider();
    }
}
