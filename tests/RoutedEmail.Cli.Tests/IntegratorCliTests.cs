using System.Text.Json;
using RoutedEmail.Cli.Tests.Infrastructure;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Cli.Tests;

/// <summary>
/// The integrator commands run as a process against the real service, with a key from a flag or a variable.
/// </summary>
public sealed class IntegratorCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("routed-email-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Send_SeedFile_PrintsQueued()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), .. Tenant(server, tenant), "--api-key", tenant.ApiKey]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(
            $"Queued 1 routed email(s): {TestTenant.SeedEntityId}", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ApiKey, result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_FlagsAndKeyVariable_QueuesEmail()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var send = await CliProcess.RunAsync(
            ["send", "--owner-id", TestTenant.OwnerId, "--entity-id", "flags-1", "--from", "a@example.com",
             "--to", "b@example.com", "--subject", "Hello", "--attribute", "CustomerId=42",
             .. Tenant(server, tenant)],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_API_KEY"] = tenant.ApiKey });
        var status = await CliProcess.RunAsync(
            ["status", "flags-1", "--json", .. Tenant(server, tenant), "--api-key", tenant.ApiKey]);

        Assert.Equal(0, send.ExitCode);
        Assert.Equal(0, status.ExitCode);
        using var email = JsonDocument.Parse(status.StandardOutput);
        Assert.Equal("Queued", email.RootElement.GetProperty("state").GetString());
        Assert.Equal("42", email.RootElement.GetProperty("attributes")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Send_Json_PrintsSuccessDocument()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), "--json", .. Tenant(server, tenant), "--api-key", tenant.ApiKey]);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("SUCCESS", document.RootElement.GetProperty("responseEnum").GetString());
        Assert.Equal(1, document.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task StatusCancelExplain_QueuedEmail_PrintText()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        string[] common = [.. Tenant(server, tenant), "--api-key", tenant.ApiKey];
        await CliProcess.RunAsync(["send", "--file", SeedFile(), .. common]);

        var status = await CliProcess.RunAsync(["status", TestTenant.SeedEntityId, .. common]);
        var explain = await CliProcess.RunAsync(["explain", TestTenant.SeedEntityId, .. common]);
        var cancel = await CliProcess.RunAsync(["cancel", TestTenant.SeedEntityId, .. common]);
        var cancelAgain = await CliProcess.RunAsync(["cancel", TestTenant.SeedEntityId, "--json", .. common]);

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("State       Queued", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, explain.ExitCode);
        Assert.Contains("Queued", explain.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains("State       Canceled", cancel.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, cancelAgain.ExitCode);
        using var document = JsonDocument.Parse(cancelAgain.StandardOutput);
        Assert.Equal("Canceled", document.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Status_UnknownEntityId_ExitsFour()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["status", "never-sent", .. Tenant(server, tenant), "--api-key", tenant.ApiKey]);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("No routed email with entity id 'never-sent'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WrongKey_ExitsThreeWithAdvice()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), .. Tenant(server, tenant), "--api-key", "wrong-key-value", "--json"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("HTTP 401", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Check --company, --environment and --secrets-region", result.StandardError,
            StringComparison.Ordinal);
        Assert.Contains("The API key came from --api-key", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("read again", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key-value", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(3, document.RootElement.GetProperty("error").GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Send_KeyChecksLimited_ExitsThree()
    {
        // With a window of an hour, Retry-After is an hour, so a tool that waited it out would time out instead.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["ApiKeys:FailureLimit"] = "1",
            ["ApiKeys:FailureWindow"] = "01:00:00",
        });
        var tenant = await TestTenant.CreateAsync(server);
        string[] send = ["send", "--file", SeedFile(), .. Tenant(server, tenant), "--api-key", "wrong-key-value"];

        var rejected = await CliProcess.RunAsync(send);
        var limited = await CliProcess.RunAsync(send);

        Assert.Equal(3, rejected.ExitCode);
        Assert.Equal(3, limited.ExitCode);
        Assert.Contains("HTTP 429", limited.StandardError, StringComparison.Ordinal);
        Assert.Contains("The API key came from --api-key", limited.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ForeignServer200_ExitsTwo()
    {
        await using var foreign = await ForeignEndpoint.StartAsync(200, "text/html", "<html><body>Hi</body></html>");

        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), "--base-url", foreign.BaseAddress.AbsoluteUri, "--company", "abc-gadgets",
             "--environment", "prod", "--secrets-region", "us-east-1", "--api-key", "key"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Check that --base-url", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Queued", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ForeignServer404_ExitsTwoNotFour()
    {
        await using var foreign = await ForeignEndpoint.StartAsync(404, "text/html", "<html>Not Found</html>");

        var result = await CliProcess.RunAsync(
            ["status", "any-id", "--base-url", foreign.BaseAddress.AbsoluteUri, "--company", "acme",
             "--environment", "test", "--secrets-region", "us-east-1", "--api-key", "key"]);

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("No routed email", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WrongKeyVariable_AdvisesVariable()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["status", "any-id", .. Tenant(server, tenant)],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_API_KEY"] = "wrong-key-value" });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("The API key came from ROUTED_EMAIL_API_KEY", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("read again", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_UnknownOwner_ExitsSixWithServiceMessage()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);

        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "NoSuchOwner", "--entity-id", "e-1", .. Tenant(server, tenant),
             "--api-key", tenant.ApiKey]);

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("ownerId", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_FileMissingComma_ExitsTwo()
    {
        var path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, TestTenant.SeedJson.Replace(
            "0242ac130003\",", "0242ac130003\"", StringComparison.Ordinal));

        var result = await CliProcess.RunAsync(
            ["send", "--file", path, "--base-url", "http://127.0.0.1:9", "--secrets-region", "us-east-1",
             "--api-key", "key"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not valid JSON", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ElevenAttributes_ExitsTwo()
    {
        string[] attributes = [.. Enumerable.Range(0, 11).SelectMany(i => new[] { "--attribute", $"k{i}=v" })];

        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "o", "--entity-id", "e", .. attributes, "--base-url", "http://127.0.0.1:9",
             "--company", "c", "--environment", "e", "--secrets-region", "us-east-1", "--api-key", "key"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("at most 10", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NoSecretsRegion_ExitsTwoNamingOption()
    {
        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), "--base-url", "http://127.0.0.1:9"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--secrets-region is missing", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NothingListening_ExitsSeven()
    {
        var result = await CliProcess.RunAsync(
            ["send", "--file", SeedFile(), "--base-url", "http://127.0.0.1:9", "--secrets-region", "us-east-1",
             "--api-key", "key"]);

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("got no response", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo()
    {
        var result = await CliProcess.RunAsync(["send", "--no-such-option"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--no-such-option", result.StandardError, StringComparison.Ordinal);
    }

    private string SeedFile()
    {
        var path = Path.Combine(_directory, "seed.json");
        File.WriteAllText(path, TestTenant.SeedJson);
        return path;
    }

    internal static string[] Tenant(TestServer server, TestTenant tenant) =>
    [
        "--base-url", server.BaseAddress.AbsoluteUri, "--company", tenant.CompanyCode,
        "--environment", tenant.Environment, "--secrets-region", TestTenant.SecretsRegion,
    ];
}
