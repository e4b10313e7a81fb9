namespace RoutedEmail.Client;

/// <summary>The tenant headers of the ingest and integrator APIs.</summary>
public static class HeaderNames
{
    /// <summary>The platform code, always <see cref="RoutedEmailClient.PlatformCode"/>.</summary>
    public const string PlatformCode = "X-sc-platform-code";

    /// <summary>The tenant's company code.</summary>
    public const string CompanyCode = "X-sc-company-code";

    /// <summary>The tenant's environment.</summary>
    public const string Environment = "X-sc-company-environment";

    /// <summary>The AWS region of the tenant's Secrets Manager secret.</summary>
    public const string SecretsRegion = "X-sc-secrets-region";

    /// <summary>The tenant's API key.</summary>
    public const string ApiKey = "X-sc-company-api-key";
}
