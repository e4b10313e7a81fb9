using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.SecretsManager;
using RoutedEmail.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RoutedEmailClient"/> with an <see cref="IServiceCollection"/>.</summary>
public static class RoutedEmailServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> that reads the API key from Secrets Manager.</summary>
    public const string SecretsManagerHttpClientName = "RoutedEmail.SecretsManager";

    /// <summary>The name of the resilience pipeline of <see cref="RoutedEmailClient"/>.</summary>
    public const string ResiliencePipelineName = "routed-email";

    /// <summary>
    /// Registers <see cref="RoutedEmailClient"/> as a typed <see cref="HttpClient"/> client with retries of
    /// transient failures, and an <see cref="IApiKeySource"/> unless one is registered: a
    /// <see cref="FixedApiKeySource"/> when <see cref="RoutedEmailClientOptions.ApiKey"/> is set, else a
    /// <see cref="SecretsManagerApiKeySource"/>. Secrets Manager calls are signed with the registered
    /// <see cref="IAwsCredentialsProvider"/>, by default the AWS SDK's default credential chain.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options: the tenant, and a region or base address.</param>
    /// <returns>The client's builder, for more handlers.</returns>
    public static IHttpClientBuilder AddRoutedEmailClient(
        this IServiceCollection services, Action<RoutedEmailClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RoutedEmailClientOptions>()
            .Configure(configure)
            .Validate(ValidateOptions)
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAwsCredentialsProvider, DefaultChainCredentialsProvider>();
        services.AddHttpClient(SecretsManagerHttpClientName);
        services.TryAddSingleton(CreateKeySource);

        var builder = services
            .AddHttpClient(nameof(RoutedEmailClient))
            .AddTypedClient<RoutedEmailClient>(CreateClient);
        builder.AddResilienceHandler(ResiliencePipelineName, (pipeline, context) =>
            {
                var provider = context.ServiceProvider;
                RoutedEmailResilience.Configure(
                    pipeline,
                    provider.GetRequiredService<IOptions<RoutedEmailClientOptions>>().Value,
                    provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(RoutedEmailResilience).FullName!)
                        ?? NullLogger.Instance);
            });
        return builder;
    }

    private static bool ValidateOptions(RoutedEmailClientOptions options)
    {
        // Validate throws an ArgumentException whose message lists each problem and its fix.
        options.Validate();
        return true;
    }

    private static RoutedEmailClient CreateClient(HttpClient httpClient, IServiceProvider provider) =>
        new(
            httpClient,
            provider.GetRequiredService<IApiKeySource>(),
            provider.GetRequiredService<IOptions<RoutedEmailClientOptions>>().Value,
            provider.GetService<ILogger<RoutedEmailClient>>());

    private static IApiKeySource CreateKeySource(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<RoutedEmailClientOptions>>().Value;
        if (options.ApiKey is { } apiKey)
        {
            return new FixedApiKeySource(apiKey);
        }

        var time = provider.GetRequiredService<TimeProvider>();
        var secretsManager = new SecretsManagerClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(SecretsManagerHttpClientName),
            provider.GetRequiredService<IAwsCredentialsProvider>(),
            new SecretsManagerClientOptions
            {
                Region = options.SecretsRegion,
                ServiceUrl = options.SecretsManagerServiceUrl,
            },
            timeProvider: time,
            logger: provider.GetService<ILogger<SecretsManagerClient>>());
        return new SecretsManagerApiKeySource(
            secretsManager, options.SecretName, options.ApiKeyCacheDuration, time,
            provider.GetService<ILogger<SecretsManagerApiKeySource>>());
    }
}
