using Microsoft.Extensions.Logging;

namespace RoutedEmail.Aws.SecretsManager;

/// <summary>
/// Log lines of <see cref="SecretsManagerClient"/>. They name secrets and versions, never values.
/// </summary>
public sealed partial class SecretsManagerClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 9101, Level = LogLevel.Debug,
            Message = "Read secret {SecretId} version {VersionId} by stage {VersionStage}")]
        public static partial void SecretRead(
            ILogger logger, string secretId, string versionId, string versionStage);

        [LoggerMessage(EventId = 9102, Level = LogLevel.Information,
            Message = "Stored a new value of secret {SecretId} as version {VersionId} " +
                "with stages {VersionStages}")]
        public static partial void SecretValuePut(
            ILogger logger, string secretId, string versionId, IReadOnlyList<string> versionStages);

        [LoggerMessage(EventId = 9103, Level = LogLevel.Information,
            Message = "Created secret {SecretId} with version {VersionId}")]
        public static partial void SecretCreated(ILogger logger, string secretId, string versionId);

        [LoggerMessage(EventId = 9104, Level = LogLevel.Information,
            Message = "Secret {SecretId} was not found, so it is being created")]
        public static partial void SecretMissingCreating(ILogger logger, string secretId);

        [LoggerMessage(EventId = 9105, Level = LogLevel.Information,
            Message = "Secret {SecretId} was created by another writer first, " +
                "so the value is put as a new version")]
        public static partial void SecretCreatedConcurrently(ILogger logger, string secretId);

        [LoggerMessage(EventId = 9106, Level = LogLevel.Debug,
            Message = "Secrets Manager {Operation} for secret {SecretId} failed with {ErrorType} " +
                "(HTTP {StatusCode})")]
        public static partial void RequestFailed(
            ILogger logger, string operation, string secretId, string errorType, int statusCode);
    }
}
