using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.SecretsManager;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>
/// Builds the Secrets Manager client of a tenant: its secrets region, the configured endpoint, and either the
/// service's own credentials or the tenant's assumed role.
/// </summary>
/// <remarks>
/// Requests are signed with the system clock, not the service's injected <see cref="TimeProvider"/>, because AWS
/// rejects a signature whose time is far from its own clock.
/// </remarks>
internal sealed class SecretsManagerClients : IDisposable
{
    private readonly AwsOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly HttpClient _httpClient;
    private readonly Lazy<IAwsCredentialsProvider> _serviceCredentials;
    private readonly ConcurrentDictionary<RoleKey, AssumeRoleCredentialsProvider> _roles = new();

    public SecretsManagerClients(IOptions<AwsOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loggers = loggers;
        _httpClient = new HttpClient { Timeout = _options.RequestTimeout };

        // Built on first use only, so a service with explicit credentials never constructs the default chain.
        _serviceCredentials = new Lazy<IAwsCredentialsProvider>(CreateServiceCredentials);
    }

    /// <summary>Whether the service's own credentials were built, and come from the AWS default chain.</summary>
    internal bool UsesDefaultChain =>
        _serviceCredentials.IsValueCreated && _serviceCredentials.Value is DefaultChainCredentialsProvider;

    /// <summary>Creates a client for the tenant's secrets region, signed with the credentials its settings name.</summary>
    /// <exception cref="ArgumentException">The region, an endpoint setting or the role is invalid.</exception>
    public SecretsManagerClient For(string region, KeyPublishingSettings settings)
    {
        var credentials = settings.RoleArn is { } roleArn
            ? _roles.GetOrAdd(new RoleKey(roleArn, settings.ExternalId, region), AssumeRole)
            : _serviceCredentials.Value;
        var options = new SecretsManagerClientOptions { Region = region, ServiceUrl = _options.ServiceUrl };
        return new SecretsManagerClient(
            _httpClient, credentials, options, new AwsEndpointResolver(), timeProvider: null,
            _loggers.CreateLogger<SecretsManagerClient>());
    }

    public void Dispose()
    {
        foreach (var provider in _roles.Values)
        {
            provider.Dispose();
        }

        if (_serviceCredentials is { IsValueCreated: true, Value: IDisposable disposable })
        {
            disposable.Dispose();
        }

        _httpClient.Dispose();
    }

    private AssumeRoleCredentialsProvider AssumeRole(RoleKey role) =>
        new(
            new AssumeRoleOptions
            {
                RoleArn = role.RoleArn,
                ExternalId = role.ExternalId,
                Region = role.Region,
                ServiceUrl = _options.StsServiceUrl,
            },
            _serviceCredentials.Value, new AwsEndpointResolver(), timeProvider: null,
            _loggers.CreateLogger<AssumeRoleCredentialsProvider>());

    private IAwsCredentialsProvider CreateServiceCredentials()
    {
        if (_options.HasExplicitCredentials)
        {
            return new StaticCredentialsProvider(
                new AwsCredentials(_options.AccessKeyId!, _options.SecretAccessKey!, _options.SessionToken));
        }

        return new DefaultChainCredentialsProvider();
    }

    private sealed record RoleKey(string RoleArn, string? ExternalId, string Region);
}
