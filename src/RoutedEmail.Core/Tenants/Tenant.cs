namespace RoutedEmail.Core.Tenants;

/// <summary>A company alias and environment that owns queues, configurations, agents and email.</summary>
/// <param name="Id">The server's identifier.</param>
/// <param name="CompanyCode">The company alias, sent by integrators in <c>X-sc-company-code</c>.</param>
/// <param name="Environment">The environment name, sent in <c>X-sc-company-environment</c>.</param>
/// <param name="SecretsRegion">The AWS Secrets Manager region that stores the API key, such as <c>us-east-1</c>.</param>
/// <param name="TimeZone">The IANA time zone used for the tenant's reports, such as <c>America/Chicago</c>.</param>
public sealed record Tenant(long Id, string CompanyCode, string Environment, string SecretsRegion, string TimeZone)
{
    /// <summary>
    /// The browser origins, such as <c>https://crm.example.com</c>, whose pages may connect the tenant's agents to
    /// the agent hub, normalised to lower case without a default port or trailing '/'. Default: empty.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Compares every setting, and the allowed origins in order by value rather than by list instance.</summary>
    public bool Equals(Tenant? other) =>
        other is not null && Id == other.Id && CompanyCode == other.CompanyCode && Environment == other.Environment
        && SecretsRegion == other.SecretsRegion && TimeZone == other.TimeZone
        && AllowedOrigins.SequenceEqual(other.AllowedOrigins, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, CompanyCode, Environment, SecretsRegion, TimeZone);
}
