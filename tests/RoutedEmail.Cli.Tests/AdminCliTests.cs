using System.Text.Json;
using RoutedEmail.Cli.Tests.Infrastructure;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Cli.Tests;

/// <summary>The administrator commands run as a process against the real service.</summary>
public sealed class AdminCliTests
{
    [Fact]
    public async Task Admin_SetUpTenant_PrintedKeyWorks()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test"];

        var created = await CliProcess.RunAsync(
            ["tenants", "create", .. tenant, "--secrets-region", "us-east-1", "--json"]);
        var workCodes = await CliProcess.RunAsync(
            ["work-codes", "put", "outcomes", "--code", "Solved", "--code", "Escalated", .. tenant]);
        var queue = await CliProcess.RunAsync(
            ["queues", "put", "Parts", "--offer-timeout-seconds", "45", "--work-code-group", "outcomes", .. tenant]);
        var configuration = await CliProcess.RunAsync(
            ["configurations", "put", "USParts", "--skill-queue", "Parts", "--priority", "5", .. tenant]);
        var agent = await CliProcess.RunAsync(
            ["agents", "put", "maria", "--display-name", "Maria", "--skill-queue", "Parts:1",
             "--max-concurrent-emails", "2", .. tenant],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_AGENT_PASSWORD"] = "a-long-agent-password" });

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(0, workCodes.ExitCode);
        Assert.Equal(0, queue.ExitCode);
        Assert.Equal(0, configuration.ExitCode);
        Assert.Equal(0, agent.ExitCode);
        Assert.DoesNotContain("a-long-agent-password", agent.StandardOutput, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(created.StandardOutput);
        var apiKey = document.RootElement.GetProperty("apiKey").GetString()!;

        var send = await CliProcess.RunAsync(
            ["send", "--owner-id", "USParts", "--entity-id", "admin-1", "--base-url", server.BaseAddress.AbsoluteUri,
             "--company", "acme", "--environment", "test", "--secrets-region", "us-east-1", "--api-key", apiKey]);
        Assert.Equal(0, send.ExitCode);
    }

    [Fact]
    public async Task Admin_ListCommands_PrintTextAndJson()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test"];
        await CliProcess.RunAsync(["tenants", "create", .. tenant]);
        await CliProcess.RunAsync(["queues", "put", "Parts", .. tenant]);

        var tenants = await CliProcess.RunAsync(["tenants", "list", .. Admin(server)]);
        var queues = await CliProcess.RunAsync(["queues", "list", "--json", .. tenant]);
        var queue = await CliProcess.RunAsync(["queues", "show", "Parts", .. tenant]);
        var agents = await CliProcess.RunAsync(["agents", "list", .. tenant]);
        var configurations = await CliProcess.RunAsync(["configurations", "list", "--json", .. tenant]);

        Assert.Equal(0, tenants.ExitCode);
        Assert.Contains("companyCode=acme", tenants.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("apiKey", tenants.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, queues.ExitCode);
        using (var document = JsonDocument.Parse(queues.StandardOutput))
        {
            Assert.Equal("Parts", document.RootElement[0].GetProperty("name").GetString());
        }

        Assert.Equal(0, queue.ExitCode);
        Assert.Contains("offerTimeoutSeconds", queue.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, agents.ExitCode);
        Assert.Equal("(none)", agents.StandardOutput.Trim());
        Assert.Equal(0, configurations.ExitCode);
        Assert.Equal("[]", configurations.StandardOutput.Trim());
    }

    [Fact]
    public async Task ApiKeyRotate_PrintsNewKeyThatWorks()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test"];
        await CliProcess.RunAsync(["tenants", "create", .. tenant]);
        await CliProcess.RunAsync(["queues", "put", "Parts", .. tenant]);
        await CliProcess.RunAsync(["configurations", "put", "USParts", "--skill-queue", "Parts", .. tenant]);

        var rotated = await CliProcess.RunAsync(["api-key", "rotate", .. tenant]);

        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("The previous key stops working at", rotated.StandardOutput, StringComparison.Ordinal);
        var newKey = rotated.StandardOutput.Split('\n')[0]["New API key: ".Length..].Trim();
        var send = await CliProcess.RunAsync(
            ["send", "--owner-id", "USParts", "--entity-id", "rotated-1", "--base-url", server.BaseAddress.AbsoluteUri,
             "--company", "acme", "--environment", "test", "--secrets-region", "us-east-1", "--api-key", newKey]);
        Assert.Equal(0, send.ExitCode);
    }

    [Fact]
    public async Task Admin_MissingToken_ExitsThree()
    {
        await using var server = await TestServer.StartAsync();

        var result = await CliProcess.RunAsync(["tenants", "list", "--base-url", server.BaseAddress.AbsoluteUri]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("ROUTED_EMAIL_ADMIN_TOKEN", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_WrongToken_ExitsThree()
    {
        await using var server = await TestServer.StartAsync();

        var result = await CliProcess.RunAsync(
            ["tenants", "list", "--base-url", server.BaseAddress.AbsoluteUri, "--admin-token", "wrong"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("HTTP 401", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("rejected the admin token", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--admin-token or ROUTED_EMAIL_ADMIN_TOKEN", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("API key", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Secrets Manager", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeyRotate_BadGateway_AdvisesNoSecondRotation()
    {
        await using var endpoint = await ScriptedEndpoint.StartAsync((502, null));

        var result = await CliProcess.RunAsync(
            ["api-key", "rotate", "--base-url", endpoint.BaseAddress.AbsoluteUri, "--admin-token", "token",
             "--company", "acme", "--environment", "test"]);

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(1, endpoint.Requests);
        Assert.Contains("HTTP 502", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Do not rotate again", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("retries writing a new key by itself", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(
            "'routed-email tenants show --company acme --environment test'", result.StandardError,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was changed", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("retry later", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TenantsCreate_Twice_ExitsFive()
    {
        await using var server = await TestServer.StartAsync();
        var environment = new Dictionary<string, string?> { ["ROUTED_EMAIL_ADMIN_TOKEN"] = TestServer.AdminToken };
        string[] tenant = ["tenants", "create", "--base-url", server.BaseAddress.AbsoluteUri, "--company", "acme",
            "--environment", "test"];

        var first = await CliProcess.RunAsync(tenant, environment);
        var second = await CliProcess.RunAsync(tenant, environment);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("apiKey", first.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(5, second.ExitCode);
    }

    [Fact]
    public async Task QueuesShow_Unknown_ExitsFour()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test"];
        await CliProcess.RunAsync(["tenants", "create", .. tenant]);

        var result = await CliProcess.RunAsync(["queues", "show", "Nope", .. tenant]);

        Assert.Equal(4, result.ExitCode);
    }

    [Fact]
    public async Task Admin_HtmlBaseUrl_ExitsTwo()
    {
        await using var foreign = await ForeignEndpoint.StartAsync(200, "text/html", "<html><body>Hi</body></html>");

        var result = await CliProcess.RunAsync(
            ["tenants", "list", "--base-url", foreign.BaseAddress.AbsoluteUri, "--admin-token", "token"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not JSON", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Check --base-url", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKeyRotate_ForeignJson_ExitsTwo()
    {
        await using var foreign = await ForeignEndpoint.StartAsync(200, "application/json", "{\"hello\":\"world\"}");

        var result = await CliProcess.RunAsync(
            ["api-key", "rotate", "--base-url", foreign.BaseAddress.AbsoluteUri, "--admin-token", "token",
             "--company", "acme", "--environment", "test"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no apiKey", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantsUpdate_EmptyOrigin_ClearsOrigins()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test", "--json"];
        await CliProcess.RunAsync(["tenants", "create", .. tenant, "--allowed-origin", "https://crm.example.com"]);

        var cleared = await CliProcess.RunAsync(["tenants", "update", .. tenant, "--allowed-origin", ""]);

        Assert.Equal(0, cleared.ExitCode);
        using var document = JsonDocument.Parse(cleared.StandardOutput);
        Assert.Equal(0, document.RootElement.GetProperty("allowedOrigins").GetArrayLength());
    }

    [Fact]
    public async Task InvalidCommandLine_Json_PrintsErrorDocument()
    {
        var result = await CliProcess.RunAsync(
            ["tenants", "update", "--key-rotation-days", "abc", "--json", "--company", "acme", "--environment", "t"]);

        Assert.Equal(2, result.ExitCode);
        using var document = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(2, document.RootElement.GetProperty("error").GetProperty("exitCode").GetInt32());
        Assert.Contains("abc", document.RootElement.GetProperty("error").GetProperty("message").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_TenantAdministrator_TokenAdministersOwnTenant()
    {
        await using var server = await TestServer.StartAsync();
        string[] tenant = [.. Admin(server), "--company", "acme", "--environment", "test"];
        await CliProcess.RunAsync(["tenants", "create", .. tenant]);
        var user = await CliProcess.RunAsync(
            ["users", "put", "lead", "--role", "Administrator", "--display-name", "Lead", .. tenant],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_USER_PASSWORD"] = "a-long-admin-password" });

        var signIn = await CliProcess.RunAsync(
            ["sign-in", "--user", "lead", "--base-url", server.BaseAddress.AbsoluteUri, "--company", "acme",
             "--environment", "test"],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_PASSWORD"] = "a-long-admin-password" });
        var token = signIn.StandardOutput.Trim();
        string[] asLead = ["--base-url", server.BaseAddress.AbsoluteUri, "--admin-token", token];
        var queue = await CliProcess.RunAsync(
            ["queues", "put", "Parts", .. asLead, "--company", "acme", "--environment", "test"]);
        var tenants = await CliProcess.RunAsync(["tenants", "list", .. asLead]);
        var wrongPassword = await CliProcess.RunAsync(
            ["sign-in", "--user", "lead", "--base-url", server.BaseAddress.AbsoluteUri, "--company", "acme",
             "--environment", "test"],
            new Dictionary<string, string?> { ["ROUTED_EMAIL_PASSWORD"] = "not-the-password" });

        Assert.Equal(0, user.ExitCode);
        Assert.DoesNotContain("a-long-admin-password", user.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, signIn.ExitCode);
        Assert.NotEmpty(token);
        Assert.Equal(0, queue.ExitCode);
        Assert.Equal(3, tenants.ExitCode);
        Assert.Contains("HTTP 403", tenants.StandardError, StringComparison.Ordinal);
        Assert.Equal(3, wrongPassword.ExitCode);
        Assert.Contains("Check --company, --environment, --user and the password", wrongPassword.StandardError,
            StringComparison.Ordinal);
    }

    private static string[] Admin(TestServer server) =>
        ["--base-url", server.BaseAddress.AbsoluteUri, "--admin-token", TestServer.AdminToken];
}
