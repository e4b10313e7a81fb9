using System.Text.Json;

namespace RoutedEmail.Aws.Tests.Infrastructure;

/// <summary>One request for botocore to sign: the headers are those botocore does not add itself.</summary>
internal sealed record BotocoreSigningCase(
    string Method,
    string Url,
    Dictionary<string, string> Headers,
    string BodyBase64,
    string AccessKey,
    string SecretKey,
    string? Token,
    string Timestamp,
    string Region,
    string Service);

/// <summary>Signs requests with botocore's <c>SigV4Auth</c> in a python3 process, at a fixed time.</summary>
internal static class Botocore
{
    // botocore.auth reads the signing time through get_current_datetime, so the script replaces that function.
    private const string Script =
        """
        import base64, datetime, json, sys
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        results = []
        for case in json.load(sys.stdin):
            fixed = datetime.datetime.strptime(case["Timestamp"], "%Y%m%dT%H%M%SZ")
            botocore.auth.get_current_datetime = lambda *args, fixed=fixed, **kwargs: fixed
            request = AWSRequest(method=case["Method"], url=case["Url"],
                                 data=base64.b64decode(case["BodyBase64"]), headers=case["Headers"])
            credentials = Credentials(case["AccessKey"], case["SecretKey"], case["Token"])
            botocore.auth.SigV4Auth(credentials, case["Service"], case["Region"]).add_auth(request)
            results.append(request.headers["Authorization"])
        print(json.dumps(results))
        """;

    /// <summary>Returns botocore's Authorization header for each case, in order.</summary>
    public static async Task<IReadOnlyList<string>> SignAsync(IReadOnlyList<BotocoreSigningCase> cases)
    {
        var result = await ExternalProcess.RunAsync(
            "python3", ["-c", Script], JsonSerializer.Serialize(cases), ExternalProcess.IsolatedAwsEnvironment());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 with botocore failed: {result.StandardError}");
        }

        return JsonSerializer.Deserialize<List<string>>(result.StandardOutput)
            ?? throw new InvalidOperationException("python3 printed no JSON list.");
    }
}
