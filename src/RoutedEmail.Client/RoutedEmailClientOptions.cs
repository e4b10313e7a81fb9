using System.Text.RegularExpressions;

namespace RoutedEmail.Client;

/// <summary>Settings of a <see cref="RoutedEmailClient"/> and of the API key source it uses.</summary>
public sealed partial class RoutedEmailClientOptions
{
    /// <summary>The secret name the hosted service publishes each tenant's API key under.</summary>
    public const string DefaultSecretName = "SYMBEE_CONNECT_API_KEY";

    /// <summary>The longest time an API key may be cached: one hour, because keys are rotated.</summary>
    public static readonly TimeSpan MaxApiKeyCacheDuration = TimeSpan.FromHours(1);

    /// <summary>
    /// The region of the hosted service. Default <see cref="RoutedEmailRegion.UsEast1"/>. Ignored when
    /// <see cref="BaseAddress"/> is set.
    /// </summary>
    public RoutedEmailRegion Region { get; set; } = RoutedEmailRegion.UsEast1;

    /// <summary>
    /// The base address of a self-hosted service, such as <c>http://127.0.0.1:5080/</c>. Default null, which uses
    /// the address of <see cref="Region"/>.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The tenant's company code, such as <c>abc-gadgets</c>. Required.</summary>
    public string CompanyCode { get; set; } = string.Empty;

    /// <summary>The tenant's environment name, such as <c>prod</c>. Required.</summary>
    public string Environment { get; set; } = string.Empty;

    /// <summary>
    /// The AWS region of the tenant's Secrets Manager secret, such as <c>us-east-1</c>. Required: it is sent on
    /// every request and is the region the API key is read from.
    /// </summary>
    public string SecretsRegion { get; set; } = string.Empty;

    /// <summary>
    /// A fixed API key. Default null, which reads the key from Secrets Manager. Prefer Secrets Manager, because
    /// a fixed key stops working after a rotation.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The Secrets Manager secret holding the API key. Default <see cref="DefaultSecretName"/>.</summary>
    public string SecretName { get; set; } = DefaultSecretName;

    /// <summary>
    /// An explicit Secrets Manager endpoint, such as an emulator's. Default null, which resolves it from
    /// <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, then <c>AWS_ENDPOINT_URL</c>, then <see cref="SecretsRegion"/>.
    /// </summary>
    public Uri? SecretsManagerServiceUrl { get; set; }

    /// <summary>
    /// How long a key read from Secrets Manager is used before it is read again. Default and maximum
    /// <see cref="MaxApiKeyCacheDuration"/> (one hour). A longer or non-positive value is rejected.
    /// </summary>
    public TimeSpan ApiKeyCacheDuration { get; set; } = MaxApiKeyCacheDuration;

    /// <summary>
    /// How many times a request that failed with a transient error (HTTP 408, 429, 5xx or no response) is
    /// retried. Default 3, and 0 turns retries off. Only requests that are safe to repeat are retried, which all
    /// requests of <see cref="RoutedEmailClient"/> are.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The time one attempt may take before it is cancelled and retried. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The service's base address: <see cref="BaseAddress"/> when set, else the region's.</summary>
    public Uri ResolveBaseAddress()
    {
        var address = BaseAddress ?? Region.BaseAddress;
        return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
    }

    /// <summary>Checks every setting and throws one exception listing each problem with its fix.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        Require(problems, CompanyCode, nameof(CompanyCode), "the tenant's company code, such as abc-gadgets");
        Require(problems, Environment, nameof(Environment), "the tenant's environment, such as prod");
        Require(problems, SecretsRegion, nameof(SecretsRegion), "the secret's AWS region, such as us-east-1");
        if (!string.IsNullOrWhiteSpace(SecretsRegion) && !IsRegionName(SecretsRegion))
        {
            // The service compares the header with the tenant's region exactly, and AWS region names are
            // lower case, so "EU-WEST-2" would fail at Secrets Manager or with a 401.
            problems.Add($"SecretsRegion '{SecretsRegion}' is not an AWS region name, which has lower-case " +
                "letters, digits and dashes. Set it as AWS writes it, such as eu-west-2.");
        }

        if (BaseAddress is { } address && (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https")))
        {
            problems.Add($"BaseAddress '{address}' is not an absolute http or https URL. " +
                "Set it to the service's address, such as http://127.0.0.1:5080/.");
        }

        if (ApiKeyCacheDuration <= TimeSpan.Zero || ApiKeyCacheDuration > MaxApiKeyCacheDuration)
        {
            problems.Add($"ApiKeyCacheDuration {ApiKeyCacheDuration} is out of range: keys are rotated, so a " +
                "key may be cached for more than zero and at most 01:00:00. Set a value in that range.");
        }

        if (ApiKey is null)
        {
            Require(problems, SecretName, nameof(SecretName), "the secret's name, such as " + DefaultSecretName);
        }
        else if (ApiKey.Length == 0 || ApiKey.Trim().Length != ApiKey.Length)
        {
            problems.Add("ApiKey is empty or has leading or trailing whitespace, which the service rejects. " +
                "Set the key exactly as the service issued it.");
        }

        if (MaxRetryAttempts is < 0 or > 10)
        {
            problems.Add($"MaxRetryAttempts {MaxRetryAttempts} is out of range. Set 0 to 10.");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            problems.Add($"AttemptTimeout {AttemptTimeout} is not positive. Set a positive time, such as 30 s.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "The RoutedEmail client settings are invalid: " + string.Join(" ", problems));
        }
    }

    /// <summary>
    /// Returns whether a value has the form of an AWS region name: lower-case letters and digits in groups
    /// joined by single dashes, such as <c>eu-west-2</c>. It does not check that the region exists.
    /// </summary>
    /// <param name="value">The value to check.</param>
    public static bool IsRegionName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return RegionPattern().IsMatch(value);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    private static void Require(List<string> problems, string value, string name, string meaning)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{name} is missing. Set it to {meaning}.");
        }
    }
}
