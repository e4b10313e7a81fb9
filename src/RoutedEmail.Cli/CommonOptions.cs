using System.CommandLine;

namespace RoutedEmail.Cli;

/// <summary>
/// The options every command takes. Each falls back to an environment variable, so scripts can set the tenant
/// once, and a flag wins over its variable.
/// </summary>
internal static class CommonOptions
{
    public const string BaseUrlVariable = "ROUTED_EMAIL_BASE_URL";
    public const string CompanyVariable = "ROUTED_EMAIL_COMPANY";
    public const string EnvironmentVariable = "ROUTED_EMAIL_ENVIRONMENT";
    public const string SecretsRegionVariable = "ROUTED_EMAIL_SECRETS_REGION";
    public const string ApiKeyVariable = "ROUTED_EMAIL_API_KEY";
    public const string AdminTokenVariable = "ROUTED_EMAIL_ADMIN_TOKEN";

    public static Option<string?> BaseUrl { get; } = new("--base-url")
    {
        Description = $"Address of a self-hosted service, such as http://127.0.0.1:5080 (or ${BaseUrlVariable}). " +
            "Default: the address of --region.",
        Recursive = true,
    };

    public static Option<string?> Region { get; } = new("--region")
    {
        Description = "Region of the hosted service, such as eu-west-2. Default us-east-1.",
        Recursive = true,
    };

    public static Option<string?> Company { get; } = new("--company")
    {
        Description = $"The tenant's company code, such as abc-gadgets (or ${CompanyVariable}).",
        Recursive = true,
    };

    public static Option<string?> Environment { get; } = new("--environment")
    {
        Description = $"The tenant's environment, such as prod (or ${EnvironmentVariable}).",
        Recursive = true,
    };

    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts instead of text.",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(BaseUrl);
        root.Options.Add(Region);
        root.Options.Add(Company);
        root.Options.Add(Environment);
        root.Options.Add(Json);
    }

    /// <summary>Returns the option's value, else the environment variable's, else null.</summary>
    public static string? ValueOrVariable(ParseResult parse, Option<string?> option, string variable)
    {
        var value = parse.GetValue(option);
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        var fromEnvironment = System.Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment;
    }

    /// <summary>Returns the value of an option or its variable, or raises a usage error naming both.</summary>
    public static string Required(ParseResult parse, Option<string?> option, string variable, string example) =>
        ValueOrVariable(parse, option, variable)
            ?? throw new CliException(
                ExitCodes.Usage,
                $"{option.Name} is missing. Pass {option.Name} {example} or set {variable}.");

    /// <summary>The service address from --base-url or --region.</summary>
    public static Uri BaseAddress(ParseResult parse)
    {
        var baseUrl = ValueOrVariable(parse, BaseUrl, BaseUrlVariable);
        if (baseUrl is not null)
        {
            if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new CliException(
                    ExitCodes.Usage,
                    $"--base-url '{baseUrl}' is not an absolute http or https URL. Pass one such as " +
                    "http://127.0.0.1:5080.");
            }

            return uri;
        }

        try
        {
            return Client.RoutedEmailRegion.Parse(parse.GetValue(Region) ?? "us-east-1").BaseAddress;
        }
        catch (ArgumentException exception)
        {
            throw new CliException(ExitCodes.Usage, exception.Message, exception);
        }
    }
}
