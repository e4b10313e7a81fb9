using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.SecretsManager;
using RoutedEmail.Aws.Signing;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests.Infrastructure;

/// <summary>
/// One moto_server for a test collection, with signature checking on: its three unchecked actions create an IAM
/// user, the user's access key and an allow-all inline policy, and every later call must be signed with that key.
/// </summary>
public sealed class AwsEmulator : IAsyncLifetime
{
    public const string Region = "us-east-1";
    private const string UserName = "routed-email-client-tests";
    private const string AllowAll =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    // moto checks nothing during the first three actions, so any key signs them.
    private static readonly AwsCredentials Bootstrap = new("AKIAIOSFODNN7EXAMPLE", "bootstrap-secret");

    private MotoServer? _server;

    public HttpClient HttpClient { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri Endpoint => (_server ?? throw new InvalidOperationException("moto_server is not started.")).Endpoint;

    /// <summary>The IAM user's access key, which moto checks on every call.</summary>
    public AwsCredentials Credentials { get; private set; } = Bootstrap;

    public async Task InitializeAsync()
    {
        _server = await MotoServer.StartAsync(initialNoAuthActionCount: 3);
        await IamAsync("CreateUser", ("UserName", UserName));
        var key = await IamAsync("CreateAccessKey", ("UserName", UserName));
        await IamAsync("PutUserPolicy", ("UserName", UserName), ("PolicyName", "allow-all"), ("PolicyDocument", AllowAll));
        Credentials = new AwsCredentials(Element(key, "AccessKeyId"), Element(key, "SecretAccessKey"));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        HttpClient.Dispose();
    }

    /// <summary>A Secrets Manager client of the emulator, signed with the user's key.</summary>
    public SecretsManagerClient SecretsManager() =>
        new(
            HttpClient,
            new StaticCredentialsProvider(Credentials),
            new SecretsManagerClientOptions { Region = Region, ServiceUrl = Endpoint },
            new AwsEndpointResolver(_ => null));

    /// <summary>
    /// The environment of a child process that reads AWS settings only from these variables: the user's key
    /// and the emulator's endpoint, with no config files and no instance metadata.
    /// </summary>
    public Dictionary<string, string?> ProcessEnvironment()
    {
        var environment = ExternalProcess.IsolatedAwsEnvironment();
        environment["AWS_ACCESS_KEY_ID"] = Credentials.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = Credentials.SecretAccessKey;
        environment["AWS_ENDPOINT_URL"] = Endpoint.AbsoluteUri;
        environment["AWS_EC2_METADATA_DISABLED"] = "true";
        return environment;
    }

    /// <summary>A secret name that no other test uses.</summary>
    public static string NewSecretName(string purpose) => $"routed-email/client-tests/{purpose}/{Guid.NewGuid():N}";

    private async Task<XDocument> IamAsync(string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join(
            '&',
            new[] { ("Action", action), ("Version", "2010-05-08") }.Concat(parameters)
                .Select(pair => $"{FormEncode(pair.Item1)}={FormEncode(pair.Item2)}"));
        var payload = Encoding.UTF8.GetBytes(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        new SigV4Signer(Region, "iam").Sign(request, payload, Bootstrap, TimeProvider.System.GetUtcNow());
        using var response = await HttpClient.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"IAM {action} failed with HTTP {(int)response.StatusCode}: {body}");
        }

        return XDocument.Parse(body);
    }

    // moto checks a form body's signature against the form encoded again by Python's urlencode: RFC 3986
    // unreserved characters kept, everything else percent-encoded, spaces as '+'.
    private static string FormEncode(string value) =>
        Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static string Element(XDocument document, string name) =>
        document.Descendants().First(element => element.Name.LocalName == name).Value;
}

[CollectionDefinition(Name)]
public sealed class AwsEmulatorCollection : ICollectionFixture<AwsEmulator>
{
    public const string Name = "aws-emulator";
}
