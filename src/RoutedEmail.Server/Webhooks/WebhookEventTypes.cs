using System.Reflection;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// The event type names a webhook may subscribe to: every constant of <see cref="EventTypes"/>, or <c>*</c>.
/// </summary>
internal static class WebhookEventTypes
{
    /// <summary>Subscribes to every event type, including types added later.</summary>
    public const string All = "*";

    public static IReadOnlySet<string> Known { get; } = typeof(EventTypes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);
}
