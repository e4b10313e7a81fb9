using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace RoutedEmail.Server.Security;

/// <summary>Creates and checks the random secrets the service hands out: API keys, agent tokens, the admin token.</summary>
internal static class SecretTokens
{
    /// <summary>Creates a token of 256 random bits, as 43 URL-safe base64 characters.</summary>
    public static string Create() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Hashes a token with SHA-256. The tokens are random with 256 bits of entropy, so a fast hash is enough to make
    /// a stolen table useless. A slow password hash would only slow every request.
    /// </summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Compares a presented token with a stored hash in time that does not depend on where they differ.</summary>
    public static bool Matches(string presented, byte[]? storedHash) =>
        storedHash is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
}
