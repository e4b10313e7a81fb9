using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Abstractions;

/// <summary>The routed email configurations of some owner ids, and which of their skill queues are disabled.</summary>
/// <param name="Configurations">The configurations by owner id; owners without one are left out.</param>
/// <param name="DisabledSkillQueues">The disabled skill queues among those the configurations name.</param>
public sealed record OwnerRouting(
    IReadOnlyDictionary<string, RoutedEmailConfiguration> Configurations, IReadOnlySet<string> DisabledSkillQueues);
