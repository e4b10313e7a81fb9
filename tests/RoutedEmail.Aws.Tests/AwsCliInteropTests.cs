using System.Text.Json;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class AwsCliInteropTests(MotoFixture moto)
{
    [Fact]
    public async Task AwsCli_GetSecretValue_ReadsClientValue()
    {
        var name = MotoFixture.NewSecretName("cli");
        var client = moto.SecretsManager();
        await client.PutSecretValueCreatingAsync(name, "written-by-dotnet", CancellationToken.None);
        var put = await client.PutSecretValueCreatingAsync(name, "rotated-by-dotnet", CancellationToken.None);

        var result = await AwsCli.RunAsync(
            moto.Endpoint, moto.UserCredentials, "secretsmanager", "get-secret-value", "--secret-id", name);

        Assert.True(result.ExitCode == 0, $"aws exited with {result.ExitCode}: {result.StandardError}");
        using var output = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("rotated-by-dotnet", output.RootElement.GetProperty("SecretString").GetString());
        Assert.Equal(put.VersionId, output.RootElement.GetProperty("VersionId").GetString());
    }

    [Fact]
    public async Task AwsCli_PutSecretValue_ClientReadsIt()
    {
        var name = MotoFixture.NewSecretName("cli-put");
        await moto.SecretsManager().CreateSecretAsync(name, "from-dotnet", null, CancellationToken.None);

        var result = await AwsCli.RunAsync(
            moto.Endpoint, moto.UserCredentials,
            "secretsmanager", "put-secret-value", "--secret-id", name, "--secret-string", "from-cli");
        var current = await moto.SecretsManager().GetSecretValueAsync(name, CancellationToken.None);

        Assert.True(result.ExitCode == 0, $"aws exited with {result.ExitCode}: {result.StandardError}");
        Assert.Equal("from-cli", current.SecretString);
    }
}
