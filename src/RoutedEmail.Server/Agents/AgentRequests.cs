namespace RoutedEmail.Server.Agents;

/// <summary>The body of <c>POST /api/v1/agent/sign-in</c>.</summary>
/// <param name="CompanyCode">The tenant's company code.</param>
/// <param name="Environment">The tenant's environment.</param>
/// <param name="AgentId">The agent's id.</param>
/// <param name="Password">The agent's password.</param>
public sealed record SignInRequest(string? CompanyCode, string? Environment, string? AgentId, string? Password);

/// <summary>A new agent session.</summary>
/// <param name="Token">The bearer token for the agent API.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
/// <param name="AgentId">The signed-in agent.</param>
public sealed record SignInResponse(string Token, DateTimeOffset ExpiresAt, string AgentId);

/// <summary>The body of <c>PUT /api/v1/agent/status</c>.</summary>
/// <param name="Status">Available, Away or Offline.</param>
/// <param name="Reason">
/// With Away only: one of the tenant's away reason codes, required while the tenant has any. Default: none.
/// </param>
public sealed record StatusRequest(string? Status, string? Reason = null);

/// <summary>The body of <c>POST /api/v1/agent/emails/{emailId}/complete</c>.</summary>
/// <param name="WorkCode">The disposition, at most 64 characters; optional.</param>
/// <param name="Notes">Free text, at most 4000 characters; optional.</param>
public sealed record CompleteRequest(string? WorkCode, string? Notes);

/// <summary>The body of <c>POST /api/v1/agent/emails/{emailId}/transfer</c>; send exactly one field.</summary>
/// <param name="SkillQueue">The skill queue where the email waits as Queued, keeping its priority and enqueue time.</param>
/// <param name="AgentId">The agent who gets the email as a new offer, with the timeout of the email's queue.</param>
public sealed record TransferRequest(string? SkillQueue, string? AgentId);

/// <summary>The body of <c>PUT /api/v1/agent/other-work</c>.</summary>
/// <param name="Count">The agent's current tasks on other channels, 0 to 100.</param>
public sealed record OtherWorkRequest(int? Count);
