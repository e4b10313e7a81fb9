using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Signs deliveries as the Standard Webhooks specification defines: the signature is <c>v1,</c> and the base64 of
/// HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the secret's decoded bytes.
/// </summary>
internal static class WebhookSigner
{
    public const string IdHeader = "webhook-id";

    public const string TimestampHeader = "webhook-timestamp";

    public const string SignatureHeader = "webhook-signature";

    /// <summary>Returns the <c>webhook-signature</c> header value for one attempt.</summary>
    /// <param name="key">The secret's key bytes.</param>
    /// <param name="messageId">The <c>webhook-id</c> header value.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header value, in Unix seconds.</param>
    /// <param name="body">The exact request body bytes.</param>
    public static string Sign(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
