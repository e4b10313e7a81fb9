using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Signing;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Aws.Tests;

public sealed class SigV4SignerTests
{
    private static readonly DateTimeOffset SigningTime = new(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

    private static readonly AwsCredentials LongTermKey =
        new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private static readonly AwsCredentials TemporaryKey =
        new("ASIAEXAMPLE", "tEmPoRaRy/sEcReT+kEy", "FwoGZXIvYXdzEXAMPLE//token+with/slashes=");

    private sealed record SigningCase(
        string Name, HttpMethod Method, string Url, string Body, AwsCredentials Credentials, string Service,
        (string Name, string Value)[] Headers);

    // Loopback URLs only: nothing is sent, but no other host appears in the tests. Botocore gets each URL as .NET
    // sends it (Uri.AbsoluteUri), which for example decodes %7E to ~.
    private static readonly SigningCase[] Cases =
    [
        new("Secrets Manager JSON", HttpMethod.Post, "http://127.0.0.1:4566/",
            """{"SecretId":"routed-email/acme/prod/api-key","VersionStage":"AWSCURRENT"}""", LongTermKey,
            "secretsmanager", [("X-Amz-Target", "secretsmanager.GetSecretValue")]),
        new("session token", HttpMethod.Post, "http://127.0.0.1:4566/",
            """{"SecretId":"s","SecretString":"v"}""", TemporaryKey,
            "secretsmanager", [("X-Amz-Target", "secretsmanager.PutSecretValue")]),
        new("query and dot segments", HttpMethod.Get,
            "http://127.0.0.1:8080/a%20b/./c/../d//e/?Param2=value2&Param1=value%2F1&a=2&a=1&empty=",
            "", LongTermKey, "execute-api", []),
        new("encoded UTF-8 path", HttpMethod.Get, "https://127.0.0.1/caf%C3%A9/%7Euser", "", TemporaryKey,
            "sts", []),
        new("header whitespace", HttpMethod.Put, "http://[::1]:9000/item", "payload bytes", LongTermKey,
            "custom", [("X-Amz-Meta-Note", "  several   inner    spaces  "), ("X-Amz-Meta-Other", "b")]),
    ];

    [Fact]
    public async Task Sign_FixedRequests_EqualsBotocore()
    {
        var ours = new List<string>();
        var botocoreCases = new List<BotocoreSigningCase>();
        foreach (var signingCase in Cases)
        {
            using var request = Build(signingCase);
            var payload = Encoding.UTF8.GetBytes(signingCase.Body);
            new SigV4Signer("us-east-1", signingCase.Service)
                .Sign(request, payload, signingCase.Credentials, SigningTime);
            ours.Add(Header(request, "Authorization"));
            botocoreCases.Add(new BotocoreSigningCase(
                signingCase.Method.Method,
                request.RequestUri!.AbsoluteUri,
                HeadersForBotocore(request),
                Convert.ToBase64String(payload),
                signingCase.Credentials.AccessKeyId,
                signingCase.Credentials.SecretAccessKey,
                signingCase.Credentials.SessionToken,
                SigningTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
                "us-east-1",
                signingCase.Service));
        }

        var botocore = await Botocore.SignAsync(botocoreCases);

        for (var i = 0; i < Cases.Length; i++)
        {
            Assert.True(
                botocore[i] == ours[i],
                $"Case '{Cases[i].Name}':\n  ours:     {ours[i]}\n  botocore: {botocore[i]}");
        }
    }

    [Fact]
    public void Sign_TemporaryCredentials_AddsSignedSecurityToken()
    {
        using var request = Build(Cases[1]);

        new SigV4Signer("us-east-1", "secretsmanager").Sign(request, "{}"u8, TemporaryKey, SigningTime);

        Assert.Equal(TemporaryKey.SessionToken, Header(request, "X-Amz-Security-Token"));
        Assert.Equal("20260314T150926Z", Header(request, "X-Amz-Date"));
        Assert.Contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,",
            Header(request, "Authorization"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_SignedTwice_ReplacesEarlierHeaders()
    {
        using var request = Build(Cases[1]);
        var signer = new SigV4Signer("us-east-1", "secretsmanager");

        signer.Sign(request, "{}"u8, TemporaryKey, SigningTime);
        signer.Sign(request, "{}"u8, LongTermKey, SigningTime.AddSeconds(1));

        Assert.Single(request.Headers.GetValues("Authorization"));
        Assert.Single(request.Headers.GetValues("X-Amz-Date"));
        Assert.False(request.Headers.Contains("X-Amz-Security-Token"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260314/us-east-1/secretsmanager/aws4_request",
            Header(request, "Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_RelativeUri_RaisesArgumentException()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/relative", UriKind.Relative));

        var exception = Assert.Throws<ArgumentException>(() =>
            new SigV4Signer("us-east-1", "sts").Sign(request, [], LongTermKey, SigningTime));

        Assert.Contains("not absolute", exception.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Build(SigningCase signingCase)
    {
        var request = new HttpRequestMessage(signingCase.Method, new Uri(signingCase.Url));
        foreach (var (name, value) in signingCase.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (signingCase.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(signingCase.Body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        }

        return request;
    }

    /// <summary>The headers we signed, less those that botocore adds itself: host, date and token.</summary>
    private static Dictionary<string, string> HeadersForBotocore(HttpRequestMessage request)
    {
        var signed = Header(request, "Authorization").Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in signed.Except(["host", "x-amz-date", "x-amz-security-token"]))
        {
            headers[name] = name == "content-type"
                ? request.Content!.Headers.ContentType!.ToString()
                : Header(request, name);
        }

        return headers;
    }

    private static string Header(HttpRequestMessage request, string name) =>
        string.Join(',', request.Headers.NonValidated[name]);
}
