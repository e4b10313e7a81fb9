namespace RoutedEmail.Aws.Credentials;

/// <summary>
/// An AWS access key pair, with the session token and expiry of temporary credentials. <see cref="ToString"/>
/// shows only the access key id, so the secret access key and the session token stay out of logs and messages.
/// </summary>
public sealed class AwsCredentials
{
    /// <summary>Creates credentials and checks that the key id and secret key are present.</summary>
    /// <param name="accessKeyId">The access key id, such as <c>AKIA...</c> or <c>ASIA...</c>.</param>
    /// <param name="secretAccessKey">The secret access key that signs requests.</param>
    /// <param name="sessionToken">The session token of temporary credentials, or null for a long-term
    /// key.</param>
    /// <param name="expiration">When temporary credentials stop working, or null when they do not expire.</param>
    /// <exception cref="ArgumentException">The access key id or secret access key is empty.</exception>
    public AwsCredentials(
        string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
        Expiration = expiration;
    }

    /// <summary>The access key id, which is not secret and appears in every signed request.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key. Never log it.</summary>
    public string SecretAccessKey { get; }

    /// <summary>
    /// The session token of temporary credentials, sent as <c>X-Amz-Security-Token</c>, or null if none.
    /// </summary>
    public string? SessionToken { get; }

    /// <summary>When temporary credentials stop working, or null for credentials that do not expire.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>Returns the access key id and expiry, without the secret access key or session token.</summary>
    public override string ToString() =>
        Expiration is { } expiration
            ? $"AWS credentials {AccessKeyId} (temporary, expire {expiration:O})"
            : $"AWS credentials {AccessKeyId}";
}
