namespace RoutedEmail.Core.Users;

/// <summary>A role of a tenant's user. A user with several roles may do what each of them may.</summary>
public enum UserRole
{
    /// <summary>Takes routed email through the agent API and hub, and has a routing profile.</summary>
    Agent,

    /// <summary>Reads the tenant's queues, agents, stats, reports and emails, and cancels and transfers emails.</summary>
    Supervisor,

    /// <summary>Manages everything under the tenant's admin path, users and API key included.</summary>
    Administrator,
}
