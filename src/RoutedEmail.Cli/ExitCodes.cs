namespace RoutedEmail.Cli;

/// <summary>The exit codes of <c>routed-email</c>, documented in docs/integrators.md.</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded.</summary>
    public const int Success = 0;

    /// <summary>An unexpected error, such as a bug in the tool.</summary>
    public const int InternalError = 1;

    /// <summary>The command line or an input file is invalid.</summary>
    public const int Usage = 2;

    /// <summary>
    /// The API key or admin token is missing, or the service rejected it (HTTP 401 or 403, or 429 after too many
    /// rejected keys from this client).
    /// </summary>
    public const int Authentication = 3;

    /// <summary>The routed email, tenant or other object does not exist (HTTP 404).</summary>
    public const int NotFound = 4;

    /// <summary>
    /// The request conflicts with the object's state (HTTP 409), such as cancelling a completed email.
    /// </summary>
    public const int Conflict = 5;

    /// <summary>The service rejected the request (another HTTP 4xx, such as 400).</summary>
    public const int Rejected = 6;

    /// <summary>The service did not respond, or failed (HTTP 5xx, or 429 after the retries).</summary>
    public const int Unavailable = 7;

    /// <summary>AWS Secrets Manager could not be read: no credentials, access denied, or no response.</summary>
    public const int SecretsManager = 8;
}

/// <summary>A failure the tool reports with a message and an exit code, and no stack trace.</summary>
internal sealed class CliException(int exitCode, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
