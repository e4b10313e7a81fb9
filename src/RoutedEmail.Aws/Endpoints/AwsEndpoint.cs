namespace RoutedEmail.Aws.Endpoints;

/// <summary>A resolved service endpoint and the setting it came from.</summary>
/// <param name="Url">The base URL that requests go to.</param>
/// <param name="Source">
/// Where the URL came from: <c>service URL setting</c>, an environment variable's name, or <c>regional
/// default</c>.
/// </param>
public sealed record AwsEndpoint(Uri Url, string Source)
{
    /// <summary>Returns the URL and its source, for messages.</summary>
    public override string ToString() => $"{Url} (from {Source})";
}
