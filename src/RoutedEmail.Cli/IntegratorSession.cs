using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>
/// The options of the integrator commands and the <see cref="RoutedEmailClient"/> built from them. The API key
/// comes from --api-key, else ROUTED_EMAIL_API_KEY, else the Secrets Manager secret in --secrets-region, read
/// with the AWS default credential chain and the standard AWS endpoint variables.
/// </summary>
internal sealed class IntegratorSession : IAsyncDisposable
{
    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = $"The tenant's API key (or ${CommonOptions.ApiKeyVariable}). Default: read from AWS " +
            "Secrets Manager.",
    };

    public static readonly Option<string?> SecretsRegion = new("--secrets-region")
    {
        Description = "AWS region of the tenant's Secrets Manager secret, such as us-east-1 " +
            $"(or ${CommonOptions.SecretsRegionVariable}). Required.",
    };

    public static readonly Option<string?> SecretName = new("--secret-name")
    {
        Description = $"The secret holding the API key. Default {RoutedEmailClientOptions.DefaultSecretName}.",
    };

    private readonly ServiceProvider _services;

    private IntegratorSession(ServiceProvider services, RoutedEmailClientOptions options)
    {
        _services = services;
        Options = options;
        Client = services.GetRequiredService<RoutedEmailClient>();
    }

    public RoutedEmailClient Client { get; }

    public RoutedEmailClientOptions Options { get; }

    public static void AddOptionsTo(Command command)
    {
        command.Options.Add(ApiKey);
        command.Options.Add(SecretsRegion);
        command.Options.Add(SecretName);
    }

    /// <summary>Builds the client from the command line. Company and environment may come from a file.</summary>
    public static IntegratorSession Create(ParseResult parse, string? companyDefault, string? environmentDefault)
    {
        var options = new RoutedEmailClientOptions
        {
            BaseAddress = CommonOptions.BaseAddress(parse),
            CompanyCode = CommonOptions.ValueOrVariable(parse, CommonOptions.Company, CommonOptions.CompanyVariable)
                ?? companyDefault
                ?? throw Missing(CommonOptions.Company.Name, CommonOptions.CompanyVariable, "abc-gadgets"),
            Environment = CommonOptions.ValueOrVariable(
                    parse, CommonOptions.Environment, CommonOptions.EnvironmentVariable)
                ?? environmentDefault
                ?? throw Missing(CommonOptions.Environment.Name, CommonOptions.EnvironmentVariable, "prod"),
            SecretsRegion = CommonOptions.Required(
                parse, SecretsRegion, CommonOptions.SecretsRegionVariable, "us-east-1"),
            ApiKey = CommonOptions.ValueOrVariable(parse, ApiKey, CommonOptions.ApiKeyVariable),
            SecretName = parse.GetValue(SecretName) ?? RoutedEmailClientOptions.DefaultSecretName,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new CliException(ExitCodes.Usage, exception.Message, exception);
        }

        var services = new ServiceCollection();
        services.AddRoutedEmailClient(configured =>
        {
            configured.BaseAddress = options.BaseAddress;
            configured.CompanyCode = options.CompanyCode;
            configured.Environment = options.Environment;
            configured.SecretsRegion = options.SecretsRegion;
            configured.ApiKey = options.ApiKey;
            configured.SecretName = options.SecretName;
        });
        return new IntegratorSession(services.BuildServiceProvider(), options);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static CliException Missing(string option, string variable, string example) =>
        new(ExitCodes.Usage, $"{option} is missing. Pass {option} {example} or set {variable}.");
}
