namespace RoutedEmail.Aws.SecretsManager;

/// <summary>Names of the version stages that Secrets Manager moves on every new value.</summary>
public static class VersionStages
{
    /// <summary>The stage of the current value, which reads return by default.</summary>
    public const string Current = "AWSCURRENT";

    /// <summary>The stage of the value that was current before the last change.</summary>
    public const string Previous = "AWSPREVIOUS";
}

/// <summary>
/// One version of a secret as <c>GetSecretValue</c> returns it. <see cref="ToString"/> leaves out the value.
/// </summary>
public sealed class SecretValue
{
    /// <summary>The secret's ARN.</summary>
    public required string Arn { get; init; }

    /// <summary>The secret's name.</summary>
    public required string Name { get; init; }

    /// <summary>The id of this version.</summary>
    public required string VersionId { get; init; }

    /// <summary>The stages attached to this version, such as <c>AWSCURRENT</c>.</summary>
    public required IReadOnlyList<string> VersionStages { get; init; }

    /// <summary>
    /// The secret text, or null when the version contains a binary value, which this client does not read.
    /// </summary>
    public required string? SecretString { get; init; }

    /// <summary>When this version was created, or null when the response had no date.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>Returns the name, version and stages, without the secret text.</summary>
    public override string ToString() => $"secret {Name} version {VersionId} [{string.Join(", ", VersionStages)}]";
}

/// <summary>The version that <c>PutSecretValue</c> or <c>CreateSecret</c> stored.</summary>
/// <param name="Arn">The secret's ARN.</param>
/// <param name="Name">The secret's name.</param>
/// <param name="VersionId">The id of the new version.</param>
/// <param name="VersionStages">The stages of the new version, which this client always makes <c>AWSCURRENT</c>.</param>
/// <param name="Created">True when the call created the secret, false when it added a version to it.</param>
public sealed record SecretVersion(
    string Arn, string Name, string VersionId, IReadOnlyList<string> VersionStages, bool Created);

/// <summary>A secret's metadata as <c>DescribeSecret</c> returns it, without any secret value.</summary>
/// <param name="Arn">The secret's ARN.</param>
/// <param name="Name">The secret's name.</param>
/// <param name="Description">The secret's description, or null.</param>
/// <param name="VersionIdsToStages">Every version that has a stage, with its stages.</param>
public sealed record SecretDescription(
    string Arn,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, IReadOnlyList<string>> VersionIdsToStages);
