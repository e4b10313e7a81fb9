namespace RoutedEmail.Core.Tenants;

/// <summary>A company alias and environment that owns queues, configurations, agents and email.</summary>
/// <param name="Id">The server's identifier.</param>
/// <param name="CompanyCode">The company alias, sent by integrators in <c>X-sc-company-code</c>.</param>
/// <param name="Environment">The environment name, sent in <c>X-sc-company-environment</c>.</param>
/// <param name="SecretsRegion">The AWS Secrets Manager region that stores the API key, such as <c>us-east-1</c>.</param>
/// <param name="TimeZone">The IANA time zone used for the tenant's reports, such as <c>America/Chicago</c>.</param>
public sealed record Tenant(long Id, string CompanyCode, string Environment, string SecretsRegion, string TimeZone);
