using System.Text.RegularExpressions;

namespace RoutedEmail.Aws.Endpoints;

/// <summary>
/// Finds a service's endpoint in the order the AWS CLI and SDKs use: an explicit service URL, then the service's
/// variable (such as <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>), then <c>AWS_ENDPOINT_URL</c>, then the regional
/// default <c>https://{prefix}.{region}.amazonaws.com</c>. When <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is
/// <c>true</c>, both variables are ignored, as the AWS CLI ignores them.
/// </summary>
/// <remarks>NOTE: endpoint URLs set in the shared AWS config file (<c>endpoint_url</c>) are not read.</remarks>
/// <param name="environment">
/// Reads an environment variable by name, returning null when it is unset. Null reads the process environment.
/// Tests pass their own function.
/// </param>
public sealed partial class AwsEndpointResolver(Func<string, string?>? environment = null)
{
    /// <summary>The variable that sets one endpoint for every service.</summary>
    public const string GlobalEndpointVariable = "AWS_ENDPOINT_URL";

    /// <summary>The variable that, set to <c>true</c>, makes resolution ignore both endpoint variables.</summary>
    public const string IgnoreEndpointVariablesVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    /// <summary>The description of an explicit service URL in <see cref="AwsEndpoint.Source"/>.</summary>
    public const string ServiceUrlSource = "service URL setting";

    /// <summary>The description of the regional default in <see cref="AwsEndpoint.Source"/>.</summary>
    public const string RegionalDefaultSource = "regional default";

    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>Resolves the endpoint of a service in a region.</summary>
    /// <param name="service">The service.</param>
    /// <param name="region">The region, such as <c>us-east-1</c>, used for the regional default.</param>
    /// <param name="serviceUrl">An explicit URL, such as the server's <c>Aws:ServiceUrl</c> setting, or
    /// null.</param>
    /// <exception cref="ArgumentException">
    /// The region is not a region name, or the service URL or an endpoint variable is not an absolute http or
    /// https URL.
    /// </exception>
    public AwsEndpoint Resolve(AwsService service, string region, Uri? serviceUrl = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        CheckRegion(region);
        if (serviceUrl is not null)
        {
            return new AwsEndpoint(CheckUrl(serviceUrl, ServiceUrlSource), ServiceUrlSource);
        }

        if (!IsTrue(_environment(IgnoreEndpointVariablesVariable)))
        {
            foreach (var variable in new[] { service.EndpointVariable, GlobalEndpointVariable })
            {
                var value = _environment(variable);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return new AwsEndpoint(ParseUrl(value.Trim(), variable), variable);
                }
            }
        }

        return new AwsEndpoint(RegionalUrl(service, region), RegionalDefaultSource);
    }

    /// <summary>
    /// Checks the region, which is also the signing region, even when an explicit URL is set. It may come from a
    /// request header and becomes part of a host name and of the credential scope.
    /// </summary>
    private static void CheckRegion(string region)
    {
        if (string.IsNullOrEmpty(region) || !RegionPattern().IsMatch(region))
        {
            throw new ArgumentException(
                $"The AWS region '{region}' is invalid: a region name has lower-case letters, " +
                "digits and dashes, such as us-east-1. Set a valid region.",
                nameof(region));
        }
    }

    /// <summary>Builds the regional URL. Regions in China (<c>cn-</c>) use <c>amazonaws.com.cn</c>.</summary>
    private static Uri RegionalUrl(AwsService service, string region)
    {
        var domain = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{service.EndpointPrefix}.{region}.{domain}/");
    }

    private static Uri ParseUrl(string value, string source)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url))
        {
            throw new ArgumentException(
                $"The {source} value '{value}' is not an absolute URL. Set it to a URL such as " +
                "http://127.0.0.1:5000, or unset it to use the regional default.");
        }

        return CheckUrl(url, source);
    }

    private static Uri CheckUrl(Uri url, string source)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException(
                $"The {source} value '{url}' is not an absolute http or https URL. Set it to a URL such as " +
                "http://127.0.0.1:5000, or unset it to use the regional default.");
        }

        return url;
    }

    private static bool IsTrue(string? value) =>
        string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
