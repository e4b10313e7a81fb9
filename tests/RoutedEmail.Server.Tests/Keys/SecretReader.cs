using System.Text.Json.Nodes;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>Reads a secret's versions with the AWS command-line tool, as an integrator's script would.</summary>
internal static class SecretReader
{
    /// <summary>Returns the value of a stage, such as <c>AWSCURRENT</c>, failing the test when the CLI fails.</summary>
    public static async Task<string> ReadAsync(Uri endpoint, AwsCredentials credentials, string name, string stage)
    {
        var result = await AwsCli.RunAsync(
            endpoint, credentials, "secretsmanager", "get-secret-value", "--secret-id", name, "--version-stage", stage);
        Assert.True(result.ExitCode == 0, $"aws secretsmanager get-secret-value failed: {result.StandardError}");
        var json = JsonNode.Parse(result.StandardOutput)!.AsObject();
        Assert.Contains(stage, json["VersionStages"]!.AsArray().Select(node => node!.GetValue<string>()));
        return json["SecretString"]!.GetValue<string>();
    }
}
