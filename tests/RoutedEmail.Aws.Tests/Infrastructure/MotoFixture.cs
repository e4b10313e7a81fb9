using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.SecretsManager;

namespace RoutedEmail.Aws.Tests.Infrastructure;

/// <summary>
/// One moto_server for the whole collection, with signature checking on and an IAM user allowed everything. Its
/// three unchecked actions create that user, its access key and its inline policy.
/// </summary>
public sealed class MotoFixture : IAsyncLifetime
{
    public const string UserName = "routed-email-tests";

    // Moto checks nothing during the first three actions, so any key signs them.
    private static readonly AwsCredentials BootstrapCredentials = new("AKIAIOSFODNN7EXAMPLE", "bootstrap-secret");

    private MotoServer? _server;

    public HttpClient HttpClient { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri Endpoint => Server.Endpoint;

    /// <summary>The IAM user's access key, which moto checks on every call.</summary>
    public AwsCredentials UserCredentials { get; private set; } = BootstrapCredentials;

    public const string UserArn = "arn:aws:iam::123456789012:user/" + UserName;

    internal MotoServer Server => _server ?? throw new InvalidOperationException("moto_server is not started.");

    public async Task InitializeAsync()
    {
        _server = await MotoServer.StartAsync(initialNoAuthActionCount: 3);
        var bootstrap = new IamClient(HttpClient, Endpoint, BootstrapCredentials);
        await bootstrap.CreateUserAsync(UserName);
        UserCredentials = await bootstrap.CreateAccessKeyAsync(UserName);
        await bootstrap.PutUserPolicyAsync(UserName, "allow-all", IamClient.AllowAllPolicy);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        HttpClient.Dispose();
    }

    /// <summary>An IAM client signed with the user's key.</summary>
    internal IamClient Iam() => new(HttpClient, Endpoint, UserCredentials);

    /// <summary>
    /// A Secrets Manager client of the emulator, signed with the given credentials or the user's key.
    /// </summary>
    public SecretsManagerClient SecretsManager(IAwsCredentialsProvider? credentials = null) =>
        new(
            HttpClient,
            credentials ?? new StaticCredentialsProvider(UserCredentials),
            new SecretsManagerClientOptions { Region = MotoServer.Region, ServiceUrl = Endpoint },
            new Endpoints.AwsEndpointResolver(_ => null));

    /// <summary>A secret name that no other test uses.</summary>
    public static string NewSecretName(string purpose) => $"routed-email/tests/{purpose}/{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto_server";
}
