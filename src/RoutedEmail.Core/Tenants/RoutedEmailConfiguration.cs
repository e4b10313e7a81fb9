namespace RoutedEmail.Core.Tenants;

/// <summary>Maps an integrator's <c>ownerId</c> to the skill queue and priority of its routed email.</summary>
/// <param name="OwnerId">The CRM owner identifier sent with each request.</param>
/// <param name="SkillQueue">The name of the queue that receives the email.</param>
/// <param name="Priority">The email priority; a larger number is served first.</param>
/// <param name="Enabled">Whether requests for this owner are accepted.</param>
/// <param name="Description">Free text for administrators.</param>
/// <param name="ScreenPopUrlTemplate">
/// An optional URL shown to the agent with each offer; <c>{entityId}</c> and <c>{attribute-key}</c> placeholders
/// are replaced with the email's values.
/// </param>
public sealed record RoutedEmailConfiguration(
    string OwnerId,
    string SkillQueue,
    int Priority,
    bool Enabled,
    string Description,
    string? ScreenPopUrlTemplate)
{
    /// <summary>The lowest priority a configuration may give: -1000.</summary>
    public const int MinPriority = -1000;

    /// <summary>The highest priority a configuration may give, and the most that escalation raises to: 1000.</summary>
    public const int MaxPriority = 1000;
}
