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
    private readonly string _keyRejectedAdvice;

    private IntegratorSession(ServiceProvider services, RoutedEmailClientOptions options, string keyRejectedAdvice)
    {
        _services = services;
        Options = options;
        _keyRejectedAdvice = keyRejectedAdvice;
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
        if (!RoutedEmailClientOptions.IsRegionName(options.SecretsRegion))
        {
            throw new CliException(
                ExitCodes.Usage,
                $"--secrets-region (or {CommonOptions.SecretsRegionVariable}) '{options.SecretsRegion}' is not " +
                "an AWS region name, which has lower-case letters, digits and dashes. Pass it as AWS writes it, " +
                "such as eu-west-2.");
        }

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
        var provider = services.BuildServiceProvider();
        try
        {
            return new IntegratorSession(provider, options, KeyRejectedAdvice(parse, options));
        }
        catch (ArgumentException exception)
        {
            // Building the Secrets Manager client checks the AWS endpoint variables, such as an
            // AWS_ENDPOINT_URL_SECRETS_MANAGER that is not a URL. The message names the variable and the fix.
            provider.Dispose();
            throw new CliException(ExitCodes.Usage, exception.Message, exception);
        }
    }

    /// <summary>
    /// Runs a client call. On a final key rejection (HTTP 401, or 429 after too many rejected keys) it replaces the
    /// SDK's advice with the options and variables that set the rejected key.
    /// </summary>
    public async Task RunAsync(Func<RoutedEmailClient, Task> call)
    {
        try
        {
            await call(Client);
        }
        catch (RoutedEmailException exception) when (exception.IsAuthenticationFailure)
        {
            var withAdvice = new RoutedEmailException(
                exception.Operation, exception.StatusCode, exception.ServiceMessage, _keyRejectedAdvice, exception);
            throw new CliException(ExitCodes.Authentication, withAdvice.Message, exception);
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static string KeyRejectedAdvice(ParseResult parse, RoutedEmailClientOptions options)
    {
        const string Tenant = "Check --company, --environment and --secrets-region.";
        if (options.ApiKey is null)
        {
            return $"{Tenant} The key was read from secret '{options.SecretName}' in {options.SecretsRegion}, " +
                "and read again after the first rejection, so that secret does not contain this tenant's key. Pass " +
                "--secret-name and --secrets-region of the secret the tenant's key is published to.";
        }

        var source = string.IsNullOrEmpty(parse.GetValue(ApiKey)) ? CommonOptions.ApiKeyVariable : "--api-key";
        return $"{Tenant} The API key came from {source}, so nothing reads a rotated key from Secrets Manager: " +
            $"pass the tenant's current key in {source}, or leave out --api-key and " +
            $"{CommonOptions.ApiKeyVariable} to read the key from Secrets Manager.";
    }

    private static CliException Missing(string option, string variable, string example) =>
        new(ExitCodes.Usage, $"{option} is missing. Pass {option} {example} or set {variable}.");
}
