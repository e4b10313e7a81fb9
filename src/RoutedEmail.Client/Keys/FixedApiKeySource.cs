namespace RoutedEmail.Client;

/// <summary>
/// A key given in code or configuration. It has no other key after a rejection, so a rotation breaks the
/// integration until the key is replaced, so prefer <see cref="SecretsManagerApiKeySource"/>.
/// </summary>
public sealed class FixedApiKeySource : IApiKeySource
{
    private readonly string _apiKey;

    /// <summary>Creates a source of one key.</summary>
    /// <param name="apiKey">The key, exactly as the service issued it.</param>
    /// <exception cref="ArgumentException">The key is empty or has leading or trailing whitespace.</exception>
    public FixedApiKeySource(string apiKey)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        if (apiKey.Length == 0 || apiKey.Trim().Length != apiKey.Length)
        {
            throw new ArgumentException(
                "The API key is empty or has leading or trailing whitespace, which the service rejects. " +
                "Pass the key exactly as the service issued it.",
                nameof(apiKey));
        }

        _apiKey = apiKey;
    }

    /// <inheritdoc />
    public ValueTask<string> GetApiKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_apiKey);

    /// <inheritdoc />
    public ValueTask<string?> RefreshApiKeyAsync(string rejectedKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);
}
