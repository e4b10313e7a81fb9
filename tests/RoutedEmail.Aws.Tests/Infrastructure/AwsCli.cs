using RoutedEmail.Aws.Credentials;

namespace RoutedEmail.Aws.Tests.Infrastructure;

/// <summary>
/// Runs the aws command-line tool against the emulator, with only the given key in its environment.
/// </summary>
internal static class AwsCli
{
    public static async Task<ProcessResult> RunAsync(
        Uri endpoint, AwsCredentials credentials, params string[] arguments)
    {
        var environment = ExternalProcess.IsolatedAwsEnvironment();
        environment["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey;
        environment["AWS_SESSION_TOKEN"] = credentials.SessionToken;
        environment["AWS_DEFAULT_REGION"] = MotoServer.Region;

        string[] common =
            ["--endpoint-url", endpoint.ToString(), "--region", MotoServer.Region, "--output", "json"];
        return await ExternalProcess.RunAsync("aws", [.. arguments, .. common], environment: environment);
    }
}
