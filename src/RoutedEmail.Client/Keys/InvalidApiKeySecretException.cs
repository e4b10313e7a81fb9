namespace RoutedEmail.Client;

/// <summary>
/// The secret that should contain the API key has no text value, or its text has leading or trailing whitespace,
/// which no API key has. The message names the secret and its version, never the value.
/// </summary>
public sealed class InvalidApiKeySecretException : InvalidOperationException
{
    /// <summary>Creates the exception for one version of a secret.</summary>
    /// <param name="secretName">The secret's name or ARN.</param>
    /// <param name="versionId">The id of the version that was read.</param>
    public InvalidApiKeySecretException(string secretName, string versionId)
        : base($"The secret '{secretName}' (version {versionId}) has no text value, or its value has leading or " +
            "trailing whitespace, such as a newline, which is not part of any API key. Store the API key alone as " +
            "the secret's text.")
    {
        SecretName = secretName;
        VersionId = versionId;
    }

    /// <summary>The secret's name or ARN.</summary>
    public string SecretName { get; }

    /// <summary>The id of the version that was read.</summary>
    public string VersionId { get; }
}
