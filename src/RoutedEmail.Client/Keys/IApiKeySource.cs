namespace RoutedEmail.Client;

/// <summary>Provides the API key sent in the <c>X-sc-company-api-key</c> header.</summary>
public interface IApiKeySource
{
    /// <summary>Returns the key to send, from a cache where the source has one.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<string> GetApiKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads the key again after the service rejected <paramref name="rejectedKey"/> with HTTP 401, for example
    /// because it was rotated. Returns a different key to retry with, or null when the source has no other key.
    /// </summary>
    /// <param name="rejectedKey">The key that the service rejected.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<string?> RefreshApiKeyAsync(string rejectedKey, CancellationToken cancellationToken);
}
