using System.Net.Sockets;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.SecretsManager;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Aws.Tests;

/// <summary>The endpoint of a moto_server that was started and then stopped, so nothing listens there.</summary>
public sealed class StoppedMoto : IAsyncLifetime
{
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:9/");

    public bool HasExited { get; private set; }

    public async Task InitializeAsync()
    {
        var server = await MotoServer.StartAsync(initialNoAuthActionCount: null);
        Endpoint = server.Endpoint;
        await server.DisposeAsync();
        HasExited = server.HasExited;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class StoppedEmulatorTests(StoppedMoto stopped) : IClassFixture<StoppedMoto>
{
    private static readonly AwsCredentials AnyKey = new("AKIDEXAMPLE", "secret");

    [Fact]
    public async Task GetSecretValue_StoppedEmulator_NamesEndpoint()
    {
        using var httpClient = new HttpClient();
        var endpoint = stopped.Endpoint;
        var client = new SecretsManagerClient(
            httpClient,
            new StaticCredentialsProvider(AnyKey),
            new SecretsManagerClientOptions { Region = MotoServer.Region },
            new AwsEndpointResolver(name => name == "AWS_ENDPOINT_URL" ? endpoint.ToString() : null));

        var exception = await Assert.ThrowsAsync<AwsConnectionException>(
            () => client.GetSecretValueAsync("routed-email/any", CancellationToken.None));

        Assert.True(stopped.HasExited);
        Assert.Equal(endpoint, exception.Endpoint);
        Assert.Equal("AWS_ENDPOINT_URL", exception.EndpointSource);
        Assert.Contains(endpoint.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ENDPOINT_URL", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", exception.Message, StringComparison.Ordinal);
        var socketError = Assert.IsType<SocketException>(exception.InnerException?.InnerException);
        Assert.Equal(SocketError.ConnectionRefused, socketError.SocketErrorCode);
    }

    [Fact]
    public async Task AssumeRole_StoppedEmulator_NamesEndpoint()
    {
        var options = new AssumeRoleOptions
        {
            RoleArn = "arn:aws:iam::123456789012:role/any",
            Region = MotoServer.Region,
            ServiceUrl = stopped.Endpoint,
        };
        using var provider = new AssumeRoleCredentialsProvider(
            options, new StaticCredentialsProvider(AnyKey), new AwsEndpointResolver(_ => null));

        var exception = await Assert.ThrowsAsync<AwsConnectionException>(
            () => provider.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal("STS", exception.Service);
        Assert.Equal(stopped.Endpoint, exception.Endpoint);
        Assert.Equal(AwsEndpointResolver.ServiceUrlSource, exception.EndpointSource);
        Assert.Contains(stopped.Endpoint.ToString(), exception.Message, StringComparison.Ordinal);
    }
}
