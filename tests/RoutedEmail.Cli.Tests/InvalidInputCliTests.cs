using System.Text.Json;
using RoutedEmail.Aws.Tests.Infrastructure;
using RoutedEmail.Cli.Tests.Infrastructure;

namespace RoutedEmail.Cli.Tests;

/// <summary>
/// Invalid input exits with code 2 and a message that names the value, the rule and the fix, with no stack
/// trace on standard error or in the --json error document.
/// </summary>
public sealed class InvalidInputCliTests : IDisposable
{
    private static readonly string[] Offline =
        ["--base-url", "http://127.0.0.1:9", "--company", "c", "--environment", "e"];

    private readonly string _directory = Directory.CreateTempSubdirectory("routed-email-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Send_EmptyArrayFile_ExitsTwo()
    {
        var path = WriteFile("empty.json", "[]");

        var result = await CliProcess.RunAsync(
            ["send", "--file", path, "--json", "--secrets-region", "us-east-1", "--api-key", "key", .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains("has 0 request objects", message, StringComparison.Ordinal);
        Assert.Contains("1 to 1000", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_1001ItemFile_ExitsTwo()
    {
        var items = Enumerable.Range(0, 1001).Select(i => new
        {
            ownerId = "o", entityId = $"e-{i}", fromAddress = "a@example.com", toAddress = "b@example.com",
            subject = "s",
        });
        var path = WriteFile("large.json", JsonSerializer.Serialize(items));

        var result = await CliProcess.RunAsync(
            ["send", "--file", path, "--json", "--secrets-region", "us-east-1", "--api-key", "key", .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains("has 1001 request objects", message, StringComparison.Ordinal);
        Assert.Contains("split it into files of at most 1000", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EU-WEST-2")]
    [InlineData("eu_west_2")]
    public async Task Send_InvalidSecretsRegion_ExitsTwo(string region)
    {
        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "o", "--entity-id", "e", "--json", "--secrets-region", region, .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains($"--secrets-region (or ROUTED_EMAIL_SECRETS_REGION) '{region}'", message,
            StringComparison.Ordinal);
        Assert.Contains("such as eu-west-2", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_InvalidEndpointVariable_ExitsTwo()
    {
        var result = await CliProcess.RunAsync(
            ["send", "--owner-id", "o", "--entity-id", "e", "--json", "--secrets-region", "us-east-1", .. Offline],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "not-a-url" });

        var message = AssertUsageError(result);
        Assert.Contains("AWS_ENDPOINT_URL_SECRETS_MANAGER", message, StringComparison.Ordinal);
        Assert.Contains("'not-a-url'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("cancel")]
    [InlineData("explain")]
    public async Task EntityCommand_EmptyEntityId_ExitsTwo(string command)
    {
        var result = await CliProcess.RunAsync(
            [command, "", "--json", "--secrets-region", "us-east-1", "--api-key", "key", .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains("The entity id '' is empty", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_FileSyntaxError_ReportsOneBasedPosition()
    {
        // The missing comma after "subject" makes the quote that starts line 3, at byte 3, invalid.
        var path = WriteFile("broken.json", "[\n  {\"ownerId\": \"o\", \"subject\": \"s\"\n  \"entityId\": \"e\"}\n]");

        var result = await CliProcess.RunAsync(
            ["send", "--file", path, "--json", "--secrets-region", "us-east-1", "--api-key", "key", .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains("(line 3, byte 3)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("queues", "--offer-timeout-seconds")]
    [InlineData("queues", "--service-level-seconds")]
    [InlineData("tenants", "--key-rotation-days")]
    public async Task NumberOption_NotANumber_NamesOption(string group, string option)
    {
        string[] target = group == "tenants" ? ["tenants", "update"] : ["queues", "put", "Parts"];

        var result = await CliProcess.RunAsync(
            [.. target, option, "abc", "--json", "--admin-token", "token", .. Offline]);

        var message = AssertUsageError(result);
        Assert.Contains($"{option} \"abc\" is not a whole number", message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
    }

    /// <summary>Checks exit code 2 and the --json error document, and returns its message.</summary>
    private static string AssertUsageError(ProcessResult result)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.StandardError, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(result.StandardOutput);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(2, error.GetProperty("exitCode").GetInt32());
        var message = error.GetProperty("message").GetString()!;
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        return message;
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
