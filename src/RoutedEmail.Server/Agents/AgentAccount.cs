namespace RoutedEmail.Server.Agents;

/// <summary>The user type for ASP.NET Core Identity's password hasher, which hashes agent passwords.</summary>
/// <param name="TenantId">The agent's tenant.</param>
/// <param name="AgentId">The agent.</param>
public sealed record AgentAccount(long TenantId, string AgentId);
