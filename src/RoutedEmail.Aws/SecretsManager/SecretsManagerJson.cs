using System.Text.Json.Serialization;

namespace RoutedEmail.Aws.SecretsManager;

// The request and response bodies of the Secrets Manager JSON 1.1 protocol, with the service's member names.

internal sealed record GetSecretValueRequest(string SecretId, string? VersionStage);

internal sealed record PutSecretValueRequest(string SecretId, string SecretString, string ClientRequestToken);

internal sealed record CreateSecretRequest(
    string Name, string SecretString, string ClientRequestToken, string? Description);

internal sealed record DescribeSecretRequest(string SecretId);

internal sealed class SecretValueResponse
{
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    public string? Name { get; init; }

    public string? VersionId { get; init; }

    public List<string>? VersionStages { get; init; }

    public string? SecretString { get; init; }

    /// <summary>Seconds since the Unix epoch, with a fraction.</summary>
    public double? CreatedDate { get; init; }
}

internal sealed class DescribeSecretResponse
{
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public Dictionary<string, List<string>>? VersionIdsToStages { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetSecretValueRequest))]
[JsonSerializable(typeof(PutSecretValueRequest))]
[JsonSerializable(typeof(CreateSecretRequest))]
[JsonSerializable(typeof(DescribeSecretRequest))]
[JsonSerializable(typeof(SecretValueResponse))]
[JsonSerializable(typeof(DescribeSecretResponse))]
internal sealed partial class SecretsManagerJsonContext : JsonSerializerContext;
