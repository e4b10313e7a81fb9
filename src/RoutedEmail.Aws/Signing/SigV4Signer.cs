using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RoutedEmail.Aws.Credentials;

namespace RoutedEmail.Aws.Signing;

/// <summary>
/// Signs HTTP requests with AWS Signature Version 4 (the <c>AWS4-HMAC-SHA256</c> scheme) for one service in one
/// region. The signatures equal botocore's for the same request, credentials and time.
/// </summary>
/// <remarks>
/// The signed headers are <c>host</c>, <c>content-type</c> and every <c>x-amz-*</c> header of the request, so a
/// proxy or handler may add other headers, such as <c>User-Agent</c>, without breaking the signature. The payload
/// hash covers the whole body.
/// </remarks>
public sealed class SigV4Signer
{
    /// <summary>The signing algorithm's name, the first word of the <c>Authorization</c> header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Creates a signer for one service in one region.</summary>
    /// <param name="region">The region in the credential scope, such as <c>us-east-1</c>.</param>
    /// <param name="service">The signing name of the service, such as <c>secretsmanager</c>, <c>sts</c> or
    /// <c>iam</c>.</param>
    /// <exception cref="ArgumentException">The region or service is empty.</exception>
    public SigV4Signer(string region, string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        Region = region;
        Service = service;
    }

    /// <summary>The region in the credential scope.</summary>
    public string Region { get; }

    /// <summary>The signing name of the service in the credential scope.</summary>
    public string Service { get; }

    /// <summary>
    /// Adds the <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (for temporary credentials) and
    /// <c>Authorization</c> headers to a request, replacing any that it already has.
    /// </summary>
    /// <param name="request">The request, with an absolute URI and its final headers.</param>
    /// <param name="payload">The exact bytes of the request body, or empty when there is none.</param>
    /// <param name="credentials">The credentials that sign the request.</param>
    /// <param name="signingTime">The signing time. AWS rejects requests signed more than 5 minutes off its
    /// clock.</param>
    /// <exception cref="ArgumentException">The request has no absolute URI.</exception>
    public void Sign(
        HttpRequestMessage request,
        ReadOnlySpan<byte> payload,
        AwsCredentials credentials,
        DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new ArgumentException(
                $"The request URI '{uri}' is not absolute; SigV4 signs the host, so set an absolute URI first.",
                nameof(request));
        }

        var timestamp = signingTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        SetHeader(request, "X-Amz-Date", timestamp);
        request.Headers.Remove("X-Amz-Security-Token");
        if (credentials.SessionToken is { } sessionToken)
        {
            SetHeader(request, "X-Amz-Security-Token", sessionToken);
        }

        request.Headers.Remove("Authorization");
        var headers = CollectSignedHeaders(request, uri);
        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = CanonicalRequest(request.Method, uri, headers, signedHeaders, payload);

        var scope = $"{timestamp[..8]}/{Region}/{Service}/aws4_request";
        var canonicalHash = Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));
        var stringToSign = $"{Algorithm}\n{timestamp}\n{scope}\n{canonicalHash}";
        var signingKey = SigningKey(credentials.SecretAccessKey, timestamp[..8]);
        var signature = Convert.ToHexStringLower(
            HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

        SetHeader(
            request,
            "Authorization",
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, " +
            $"SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>
    /// Builds the canonical request: method, URI, query, headers, signed header names and payload hash.
    /// </summary>
    private static string CanonicalRequest(
        HttpMethod method, Uri uri, SortedDictionary<string, string> headers, string signedHeaders,
        ReadOnlySpan<byte> payload)
    {
        var builder = new StringBuilder();
        builder.Append(method.Method.ToUpperInvariant()).Append('\n');
        builder.Append(SigV4Canonical.Uri(uri.AbsolutePath)).Append('\n');
        builder.Append(SigV4Canonical.Query(uri.Query.TrimStart('?'))).Append('\n');
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n');
        builder.Append(Sha256Hex(payload));
        return builder.ToString();
    }

    /// <summary>
    /// Collects the signed headers by lower-case name, in ordinal order, with canonical values.
    /// </summary>
    private static SortedDictionary<string, string> CollectSignedHeaders(HttpRequestMessage request, Uri uri)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = request.Headers.Host ?? uri.Authority,
        };
        var all = request.Headers.NonValidated.AsEnumerable();
        if (request.Content is not null)
        {
            all = all.Concat(request.Content.Headers.NonValidated);
        }

        foreach (var (name, values) in all)
        {
            var lowerName = name.ToLowerInvariant();
            if (lowerName == "content-type" || lowerName.StartsWith("x-amz-", StringComparison.Ordinal))
            {
                headers[lowerName] = SigV4Canonical.HeaderValue(values);
            }
        }

        return headers;
    }

    /// <summary>Derives the signing key for one day, region and service from the secret access key.</summary>
    private byte[] SigningKey(string secretAccessKey, string date)
    {
        var key = HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    private static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}
