using System.Security.Cryptography;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Webhook signing secrets in the Standard Webhooks form: <c>whsec_</c> and the base64 of the key bytes.
/// </summary>
internal static class WebhookSecret
{
    public const string Prefix = "whsec_";

    public const int MinKeyBytes = 24;

    public const int MaxKeyBytes = 64;

    private const int GeneratedKeyBytes = 32;

    /// <summary>Generates a secret of 32 random bytes.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>
    /// Decodes a secret into its key bytes. Returns false when it lacks the prefix, is not base64 or has fewer than
    /// 24 or more than 64 bytes.
    /// </summary>
    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret.AsSpan(Prefix.Length);
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var length)
            || length is < MinKeyBytes or > MaxKeyBytes)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }
}
