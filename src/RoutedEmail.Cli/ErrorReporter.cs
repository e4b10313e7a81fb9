using System.Net;
using Amazon.Runtime;
using RoutedEmail.Aws;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>Turns a failure into an exit code and a message that names the next step.</summary>
internal static class ErrorReporter
{
    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        RoutedEmailException service => DescribeService(service),
        AwsServiceException { ErrorType: "ResourceNotFoundException" } missing => (ExitCodes.Authentication,
            $"No API key: {missing.Message} Pass --api-key, set {CommonOptions.ApiKeyVariable}, or check " +
            "--secrets-region and --secret-name."),
        InvalidApiKeySecretException secret => (ExitCodes.SecretsManager,
            $"{secret.Message} Then run the command again, or pass --api-key."),
        AwsRequestException aws => (ExitCodes.SecretsManager,
            $"Could not read the API key from AWS Secrets Manager: {aws.Message}"),
        AmazonClientException credentials => (ExitCodes.SecretsManager,
            $"Could not find AWS credentials to read the API key: {credentials.Message} Set AWS_PROFILE or " +
            $"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --api-key."),
        _ => (ExitCodes.InternalError, $"Unexpected error: {exception}"),
    };

    private static (int, string) DescribeService(RoutedEmailException exception)
    {
        if (exception.IsKeyCheckRateLimited)
        {
            return (ExitCodes.Authentication, exception.Message);
        }

        if (exception.IsUnexpectedResponse)
        {
            return (ExitCodes.Usage, exception.Message.Replace("the base address", "--base-url", StringComparison.Ordinal));
        }

        var code = exception.StatusCode switch
        {
            null => ExitCodes.Unavailable,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Authentication,
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.Conflict => ExitCodes.Conflict,
            HttpStatusCode.TooManyRequests => ExitCodes.Unavailable,
            >= HttpStatusCode.InternalServerError => ExitCodes.Unavailable,
            _ => ExitCodes.Rejected,
        };
        return (code, exception.Message);
    }
}
