namespace RoutedEmail.Aws.Credentials;

/// <summary>
/// Settings of <see cref="AssumeRoleCredentialsProvider"/>: the role, the STS endpoint and the cache.
/// </summary>
public sealed class AssumeRoleOptions
{
    /// <summary>
    /// The ARN of the role to assume, such as <c>arn:aws:iam::123456789012:role/routed-email</c>. Required.
    /// </summary>
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>
    /// The external id that the role's trust policy requires (<c>sts:ExternalId</c>), or null when it requires
    /// none.
    /// </summary>
    public string? ExternalId { get; set; }

    /// <summary>
    /// The session name, which appears in CloudTrail and in the assumed role's ARN: 2 to 64 characters of
    /// letters, digits and <c>+=,.@_-</c>. Default <c>routed-email</c>.
    /// </summary>
    public string RoleSessionName { get; set; } = "routed-email";

    /// <summary>
    /// How long the assumed credentials last, from 15 minutes to 12 hours within the role's maximum session
    /// duration. Default 1 hour, as in STS.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long before expiry the provider assumes the role again, so no request is signed with credentials about
    /// to expire. Default 5 minutes. It must be shorter than <see cref="Duration"/>.
    /// </summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The STS region, such as <c>us-east-1</c>: the signing region and the regional endpoint. Required.
    /// </summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>
    /// An explicit STS endpoint, such as an emulator's URL. Default null, which resolves the endpoint from
    /// <c>AWS_ENDPOINT_URL_STS</c>, then <c>AWS_ENDPOINT_URL</c>, then <c>https://sts.{region}.amazonaws.com</c>.
    /// </summary>
    public Uri? ServiceUrl { get; set; }
}
