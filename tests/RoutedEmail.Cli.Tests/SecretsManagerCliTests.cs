using System.Text.Json;
using RoutedEmail.Cli.Tests.Infrastructure;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Cli.Tests;

/// <summary>
/// The tool reads the API key from Secrets Manager when none is given, with credentials and the endpoint from
/// the standard AWS variables pointing at moto_server.
/// </summary>
[Collection(AwsEmulatorCollection.Name)]
public sealed class SecretsManagerCliTests(AwsEmulator aws) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("routed-email-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Send_NoKeyGiven_ReadsDefaultSecret()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync("SYMBEE_CONNECT_API_KEY", tenant.ApiKey, CancellationToken.None);
        var seed = Path.Combine(_directory, "seed.json");
        await File.WriteAllTextAsync(seed, TestTenant.SeedJson);

        var first = await CliProcess.RunAsync(
            ["send", "--file", seed, .. IntegratorCliTests.Tenant(server, tenant)], aws.ProcessEnvironment());
        // A second rotation ends the first key at once, so only the newest key in the secret can work.
        await tenant.RotateAsync(server);
        var newestKey = await tenant.RotateAsync(server);
        await secrets.PutSecretValueAsync("SYMBEE_CONNECT_API_KEY", newestKey, CancellationToken.None);
        var status = await CliProcess.RunAsync(
            ["status", TestTenant.SeedEntityId, .. IntegratorCliTests.Tenant(server, tenant)],
            aws.ProcessEnvironment());

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("State       Queued", status.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ApiKey, first.StandardOutput + first.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenantsCreate_PublishKey_WritesSecret()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Aws:ServiceUrl"] = aws.Endpoint.ToString(),
            ["Aws:AccessKeyId"] = aws.Credentials.AccessKeyId,
            ["Aws:SecretAccessKey"] = aws.Credentials.SecretAccessKey,
        });
        var secretName = AwsEmulator.NewSecretName("cli-publish");
        string[] tenant =
        [
            "--base-url", server.BaseAddress.AbsoluteUri, "--admin-token", TestServer.AdminToken,
            "--company", "publisher", "--environment", "test", "--json",
        ];

        var created = await CliProcess.RunAsync(
            ["tenants", "create", .. tenant, "--secrets-region", AwsEmulator.Region, "--publish-key",
             "--secret-name", secretName, "--key-rotation-days", "7", "--allowed-origin", "https://crm.example.com"]);
        var updated = await CliProcess.RunAsync(
            ["tenants", "update", .. tenant, "--publish-key", "false", "--time-zone", "America/Chicago"]);

        Assert.Equal(0, created.ExitCode);
        using var createdDocument = JsonDocument.Parse(created.StandardOutput);
        var createdTenant = createdDocument.RootElement;
        var secret = await aws.SecretsManager().GetSecretValueAsync(secretName, CancellationToken.None);
        Assert.Equal(createdTenant.GetProperty("apiKey").GetString(), secret.SecretString);
        Assert.Equal(7, createdTenant.GetProperty("keyRotationDays").GetInt32());
        Assert.Equal("https://crm.example.com", createdTenant.GetProperty("allowedOrigins")[0].GetString());
        Assert.Equal(0, updated.ExitCode);
        using var updatedDocument = JsonDocument.Parse(updated.StandardOutput);
        var updatedTenant = updatedDocument.RootElement;
        Assert.False(updatedTenant.GetProperty("secretsManager").GetProperty("enabled").GetBoolean());
        Assert.Equal(secretName, updatedTenant.GetProperty("secretsManager").GetProperty("secretName").GetString());
        Assert.Equal("America/Chicago", updatedTenant.GetProperty("timeZone").GetString());
        Assert.Equal("https://crm.example.com", updatedTenant.GetProperty("allowedOrigins")[0].GetString());
    }

    [Fact]
    public async Task Send_NewlineInSecret_ExitsEight()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("cli-newline");
        await aws.SecretsManager().PutSecretValueCreatingAsync(
            secretName, tenant.ApiKey + "\n", CancellationToken.None);

        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", TestTenant.OwnerId, "--entity-id", "newline", "--secret-name", secretName,
             .. IntegratorCliTests.Tenant(server, tenant)],
            aws.ProcessEnvironment());

        Assert.Equal(8, result.ExitCode);
        Assert.Contains($"The secret '{secretName}'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("leading or trailing whitespace", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.ApiKey, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_AfterRotationPublished_Succeeds()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("cli-rotation");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(secretName, tenant.ApiKey, CancellationToken.None);
        string[] common = [.. IntegratorCliTests.Tenant(server, tenant), "--secret-name", secretName];

        var before = await CliProcess.RunAsync(
            ["send", "--owner-id", TestTenant.OwnerId, "--entity-id", "before", .. common], aws.ProcessEnvironment());
        var rotated = await tenant.RotateAsync(server);
        await secrets.PutSecretValueAsync(secretName, rotated, CancellationToken.None);
        var after = await CliProcess.RunAsync(
            ["send", "--owner-id", TestTenant.OwnerId, "--entity-id", "after", .. common], aws.ProcessEnvironment());

        Assert.Equal(0, before.ExitCode);
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task Send_StaleSecret_AdvisesSecret()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("cli-stale");
        await aws.SecretsManager().PutSecretValueCreatingAsync(secretName, "not-a-key", CancellationToken.None);

        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", TestTenant.OwnerId, "--entity-id", "stale",
             .. IntegratorCliTests.Tenant(server, tenant), "--secret-name", secretName],
            aws.ProcessEnvironment());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"The key was read from secret '{secretName}'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("read again after the first rejection", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_SecretMissing_ExitsThree()
    {
        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "o", "--entity-id", "e", "--base-url", "http://127.0.0.1:9", "--company", "c",
             "--environment", "e", "--secrets-region", AwsEmulator.Region,
             "--secret-name", AwsEmulator.NewSecretName("absent")],
            aws.ProcessEnvironment());

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("No API key", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--api-key", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WrongAwsSecretKey_ExitsEight()
    {
        var environment = aws.ProcessEnvironment();
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-access-key";

        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "o", "--entity-id", "e", "--base-url", "http://127.0.0.1:9", "--company", "c",
             "--environment", "e", "--secrets-region", AwsEmulator.Region],
            environment);

        Assert.Equal(8, result.ExitCode);
        Assert.Contains("SignatureDoesNotMatch", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-access-key", result.StandardError, StringComparison.Ordinal);
    }
}
