using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Web.Services;

/// <summary>
/// The event types that a webhook may subscribe to. The server accepts every string constant of
/// <see cref="EventTypes"/> and <c>*</c>, so the form reads the same constants from the shared Core assembly.
/// </summary>
public static class WebhookEventTypes
{
    /// <summary>Subscribes to every event type, including types added in later versions.</summary>
    public const string All = "*";

    /// <summary>The event types in ordinal order.</summary>
    public static IReadOnlyList<string> Known { get; } = ConstantsOf(typeof(EventTypes));

    // The annotation keeps the constants when the WebAssembly app is trimmed at publish.
    private static List<string> ConstantsOf(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .ToList();
}
