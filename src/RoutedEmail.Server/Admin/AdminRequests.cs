using RoutedEmail.Core.Agents;

namespace RoutedEmail.Server.Admin;

/// <summary>The body of <c>POST /api/v1/tenants</c>.</summary>
/// <param name="CompanyCode">The company alias: 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.</param>
/// <param name="Environment">The environment name, with the same rule as the company code.</param>
/// <param name="SecretsRegion">The AWS Secrets Manager region, such as <c>us-east-1</c>. Default: <c>us-east-1</c>.</param>
/// <param name="TimeZone">An IANA time zone for reports. Default: <c>UTC</c>.</param>
/// <param name="AllowedOrigins">
/// Browser origins (scheme, host, optional port) whose pages may connect the tenant's agents to the agent hub: at
/// most 50, each listed once. Default: none.
/// </param>
/// <param name="SecretsManager">Publishing of the API key to AWS Secrets Manager. Default: off.</param>
/// <param name="KeyRotationDays">
/// Days between scheduled rotations, 1 to 365, or 0 for none; only with publishing on. Default: 30
/// (<c>ApiKeys:DefaultRotationDays</c>) with publishing on, none with publishing off.
/// </param>
public sealed record CreateTenantRequest(
    string? CompanyCode, string? Environment, string? SecretsRegion, string? TimeZone,
    IReadOnlyList<string?>? AllowedOrigins = null, SecretsManagerRequest? SecretsManager = null,
    int? KeyRotationDays = null);

/// <summary>Publishing settings in a tenant POST or PUT; in a PUT a missing field keeps its value.</summary>
/// <param name="Enabled">Whether each new API key is written to AWS Secrets Manager. Default: false.</param>
/// <param name="SecretName">
/// The secret's name in the tenant's secrets region: 1 to 512 ASCII letters, digits or <c>/_+=.@-</c>. Default:
/// <c>SYMBEE_CONNECT_API_KEY</c>.
/// </param>
/// <param name="RoleArn">
/// An IAM role in the tenant's account that the service assumes through STS to write the secret, such as
/// <c>arn:aws:iam::123456789012:role/routed-email</c>. Default: none, so the service's own credentials write it.
/// An empty string removes the role.
/// </param>
/// <param name="ExternalId">
/// The external id that the role's trust policy requires, 2 to 1224 characters; only with a role. An empty string
/// removes it.
/// </param>
public sealed record SecretsManagerRequest(bool? Enabled, string? SecretName, string? RoleArn, string? ExternalId);

/// <summary>The body of <c>PUT /api/v1/tenants/{company}/{environment}</c>; a missing field keeps its value.</summary>
/// <param name="SecretsRegion">The AWS Secrets Manager region.</param>
/// <param name="TimeZone">An IANA time zone for reports.</param>
/// <param name="AllowedOrigins">
/// Browser origins (scheme, host, optional port) whose pages may connect the tenant's agents to the agent hub: at
/// most 50, each listed once. The list replaces the stored one.
/// </param>
/// <param name="SecretsManager">Changes to the publishing settings; missing fields keep their values.</param>
/// <param name="KeyRotationDays">Days between scheduled rotations, 1 to 365, or 0 for none.</param>
public sealed record UpdateTenantRequest(
    string? SecretsRegion, string? TimeZone, IReadOnlyList<string?>? AllowedOrigins = null,
    SecretsManagerRequest? SecretsManager = null, int? KeyRotationDays = null);

/// <summary>A tenant's settings.</summary>
/// <param name="CompanyCode">The company alias.</param>
/// <param name="Environment">The environment name.</param>
/// <param name="SecretsRegion">The AWS Secrets Manager region.</param>
/// <param name="TimeZone">The IANA time zone for reports.</param>
/// <param name="AllowedOrigins">The tenant's allowed browser origins for the agent hub, normalised.</param>
/// <param name="SecretsManager">The publishing settings and state.</param>
/// <param name="KeyRotationDays">Days between scheduled rotations, or null for none.</param>
/// <param name="NextRotationAt">The next scheduled rotation, or null.</param>
/// <param name="PreviousKeyExpiresAt">When the previous API key stops being accepted, or null.</param>
public sealed record TenantResponse(
    string CompanyCode, string Environment, string SecretsRegion, string TimeZone,
    IReadOnlyList<string> AllowedOrigins, SecretsManagerResponse? SecretsManager = null, int? KeyRotationDays = null,
    DateTimeOffset? NextRotationAt = null, DateTimeOffset? PreviousKeyExpiresAt = null);

/// <summary>A tenant's publishing settings and the state of its last write to AWS Secrets Manager.</summary>
/// <param name="Enabled">Whether each new API key is written to Secrets Manager.</param>
/// <param name="SecretName">The secret's name in the tenant's secrets region.</param>
/// <param name="RoleArn">The role assumed to write the secret, or null for the service's own credentials.</param>
/// <param name="ExternalId">The role's external id, or null.</param>
/// <param name="LastPublishedAt">The time of the last successful write, or null.</param>
/// <param name="LastError">Why the last write failed, or null after a success.</param>
/// <param name="Failures">Failed writes in a row since the last success.</param>
/// <param name="NextAttemptAt">When a failed or running write is attempted again, or null.</param>
/// <param name="KeyPending">Whether a new key waits for its write; it is accepted meanwhile.</param>
public sealed record SecretsManagerResponse(
    bool Enabled, string SecretName, string? RoleArn, string? ExternalId, DateTimeOffset? LastPublishedAt,
    string? LastError, int Failures, DateTimeOffset? NextAttemptAt, bool KeyPending);

/// <summary>A new tenant with its API key, which is shown only in this response.</summary>
/// <param name="CompanyCode">The company alias.</param>
/// <param name="Environment">The environment name.</param>
/// <param name="SecretsRegion">The AWS Secrets Manager region.</param>
/// <param name="TimeZone">The IANA time zone for reports.</param>
/// <param name="ApiKey">The API key for the <c>X-sc-company-api-key</c> header.</param>
/// <param name="AllowedOrigins">The tenant's allowed browser origins for the agent hub, normalised.</param>
/// <param name="SecretsManager">The publishing settings and the state of the first key's write.</param>
/// <param name="KeyRotationDays">Days between scheduled rotations, or null for none.</param>
/// <param name="NextRotationAt">The next scheduled rotation, or null.</param>
public sealed record TenantCreatedResponse(
    string CompanyCode, string Environment, string SecretsRegion, string TimeZone, string ApiKey,
    IReadOnlyList<string> AllowedOrigins, SecretsManagerResponse? SecretsManager = null, int? KeyRotationDays = null,
    DateTimeOffset? NextRotationAt = null);

/// <summary>A rotated API key, which is shown only in this response.</summary>
/// <param name="ApiKey">The new API key.</param>
/// <param name="PreviousKeyExpiresAt">When the replaced key stops being accepted.</param>
/// <param name="SecretsManager">
/// For a tenant that publishes its key, the publishing state after the write of the new key; otherwise null.
/// </param>
public sealed record ApiKeyRotatedResponse(
    string ApiKey, DateTimeOffset PreviousKeyExpiresAt, SecretsManagerResponse? SecretsManager = null);

/// <summary>The body of a skill queue PUT; every field is optional and missing ones take their defaults.</summary>
/// <param name="OfferTimeoutSeconds">Seconds an agent has to accept an offer, 5 to 3600. Default: 60.</param>
/// <param name="WrapSeconds">After-contact work seconds, 0 to 3600. Default: 0.</param>
/// <param name="ServiceLevelSeconds">Service-level threshold in seconds, 1 to 604800. Default: 3600.</param>
/// <param name="WorkCodeGroups">Names of the work code groups the queue uses. Default: none.</param>
/// <param name="WorkCodeRequired">Whether completing needs a work code. Default: false.</param>
/// <param name="Escalation">What happens to email that waits too long. Default: nothing.</param>
public sealed record SkillQueueRequest(
    int? OfferTimeoutSeconds, int? WrapSeconds, int? ServiceLevelSeconds, IReadOnlyList<string>? WorkCodeGroups,
    bool? WorkCodeRequired, EscalationRequest? Escalation = null);

/// <summary>The escalation rule in a skill queue PUT.</summary>
/// <param name="AfterSeconds">Seconds an email waits, from its enqueue time, before it is escalated: 1 to 604800.</param>
/// <param name="RaisePriorityBy">How much the priority rises, 0 to 2000, up to at most 1000. Default: 0.</param>
/// <param name="OverflowQueue">
/// Another existing skill queue whose agents may also take the escalated email. Default: none.
/// </param>
public sealed record EscalationRequest(int? AfterSeconds, int? RaisePriorityBy, string? OverflowQueue);

/// <summary>The body of a routed email configuration PUT.</summary>
/// <param name="SkillQueue">The skill queue that receives the email; required, and it must exist.</param>
/// <param name="Priority">The priority, -1000 to 1000; a larger number is served first. Default: 0.</param>
/// <param name="Enabled">Whether requests for this owner are accepted. Default: true.</param>
/// <param name="Description">Free text, at most 1000 characters. Default: empty.</param>
/// <param name="ScreenPopUrlTemplate">An absolute http or https URL with optional <c>{entityId}</c> and attribute placeholders.</param>
public sealed record ConfigurationRequest(
    string? SkillQueue, int? Priority, bool? Enabled, string? Description, string? ScreenPopUrlTemplate);

/// <summary>The body of an agent PUT.</summary>
/// <param name="DisplayName">The name shown to supervisors, at most 200 characters. Default: the agent id.</param>
/// <param name="Password">8 to 256 characters; required for a new agent, and a missing one keeps the stored password.</param>
/// <param name="MaxConcurrentEmails">1 to 100. Default: 1.</param>
/// <param name="SkillQueues">The routing profile: existing queues, each once, with rank 1 (best) to 100.</param>
/// <param name="WrapSeconds">
/// The agent's wrap time, 0 to 3600 seconds, which replaces the skill queue's. Default: none, so the queue's applies.
/// </param>
/// <param name="MaxConcurrentTasks">
/// Maximum tasks at once on all channels, routed emails plus other work, 1 to 200. Default: maxConcurrentEmails.
/// </param>
public sealed record AgentRequest(
    string? DisplayName, string? Password, int? MaxConcurrentEmails, IReadOnlyList<SkillAssignment>? SkillQueues,
    int? WrapSeconds = null, int? MaxConcurrentTasks = null);

/// <summary>The body of a work code group PUT.</summary>
/// <param name="Codes">The codes: 1 to 200 of them, each 1 to 64 characters and listed once.</param>
public sealed record WorkCodeGroupRequest(IReadOnlyList<string>? Codes);

/// <summary>The body of an away reason PUT.</summary>
/// <param name="Description">The text shown to agents and supervisors, at most 200 characters. Default: empty.</param>
public sealed record AwayReasonRequest(string? Description);
