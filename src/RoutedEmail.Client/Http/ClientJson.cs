using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoutedEmail.Client;

/// <summary>The JSON settings of the service: camelCase names and enum values as strings.</summary>
internal static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
