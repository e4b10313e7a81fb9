using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Signing;

namespace RoutedEmail.Aws.Tests.Infrastructure;

/// <summary>
/// The few IAM calls the tests need, in the IAM query protocol, signed with the library's signer. Only ever
/// pointed at the emulator.
/// </summary>
internal sealed class IamClient(HttpClient httpClient, Uri endpoint, AwsCredentials credentials)
{
    private static readonly SigV4Signer Signer = new(MotoServer.Region, "iam");

    /// <summary>An IAM policy document that allows every action on every resource.</summary>
    public const string AllowAllPolicy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    public Task CreateUserAsync(string userName) =>
        CallAsync("CreateUser", ("UserName", userName));

    /// <summary>Creates an access key of a user and returns it.</summary>
    public async Task<AwsCredentials> CreateAccessKeyAsync(string userName)
    {
        var response = await CallAsync("CreateAccessKey", ("UserName", userName));
        return new AwsCredentials(Element(response, "AccessKeyId"), Element(response, "SecretAccessKey"));
    }

    public Task PutUserPolicyAsync(string userName, string policyName, string policyDocument) =>
        CallAsync(
            "PutUserPolicy",
            ("UserName", userName), ("PolicyName", policyName), ("PolicyDocument", policyDocument));

    /// <summary>Creates a role and returns its ARN.</summary>
    public async Task<string> CreateRoleAsync(string roleName, string trustPolicy)
    {
        var response = await CallAsync(
            "CreateRole", ("RoleName", roleName), ("AssumeRolePolicyDocument", trustPolicy));
        return Element(response, "Arn");
    }

    public Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument) =>
        CallAsync(
            "PutRolePolicy",
            ("RoleName", roleName), ("PolicyName", policyName), ("PolicyDocument", policyDocument));

    private async Task<XDocument> CallAsync(string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join(
            '&',
            new[] { ("Action", action), ("Version", "2010-05-08") }.Concat(parameters)
                .Select(pair => $"{FormEncode(pair.Item1)}={FormEncode(pair.Item2)}"));
        var payload = Encoding.UTF8.GetBytes(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Signer.Sign(request, payload, credentials, TimeProvider.System.GetUtcNow());

        using var response = await httpClient.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"IAM {action} failed with HTTP {(int)response.StatusCode}: {body}");
        }

        return XDocument.Parse(body);
    }

    // moto checks the signature of a form body against the parsed form encoded again by Python's urlencode, so
    // the body must be encoded the same way: RFC 3986 unreserved characters kept, spaces as '+'.
    private static string FormEncode(string value) =>
        SigV4Canonical.Encode(value, keepSlash: false).Replace("%20", "+", StringComparison.Ordinal);

    private static string Element(XDocument document, string name) =>
        document.Descendants().First(element => element.Name.LocalName == name).Value;
}
