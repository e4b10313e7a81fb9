using System.Text;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>
/// Builds ingest bodies as JSON text from one valid item, with single properties replaced, removed or added.
/// Every method builds a new body, so no test shares mutable data with another.
/// </summary>
internal static class IngestBody
{
    /// <summary>A valid item with every mandatory property and two attributes.</summary>
    public static readonly string ValidItem = """
        {"platform":"AWS Connect","companyCode":"abc-gadgets","environment":"prod","ownerId":"USPartsSpanish",
        "entityId":"e94c0a8a-0b69-11ec-9a03-0242ac130003","fromAddress":"jtaylor@gmail.com",
        "toAddress":"parts@gadgets.com","subject":"Replacement part for Model X45T",
        "attributes":[{"key":"CustomerId","value":"7762123-01"},{"key":"Class","value":"Commercial"}]}
        """.ReplaceLineEndings("");

    /// <summary>A grinning-face emoji: one Unicode character, two UTF-16 code units, four UTF-8 bytes.</summary>
    public const string EmojiCharacter = "\U0001F600";

    /// <summary>The mandatory properties in the order <see cref="ValidItem"/> sends them.</summary>
    public static readonly IReadOnlyList<string> MandatoryFields =
        ["platform", "companyCode", "environment", "ownerId", "entityId", "fromAddress", "toAddress", "subject"];

    private static readonly (string Name, string Json)[] ValidProperties =
    [
        ("platform", "\"AWS Connect\""),
        ("companyCode", "\"abc-gadgets\""),
        ("environment", "\"prod\""),
        ("ownerId", "\"USPartsSpanish\""),
        ("entityId", "\"e94c0a8a-0b69-11ec-9a03-0242ac130003\""),
        ("fromAddress", "\"jtaylor@gmail.com\""),
        ("toAddress", "\"parts@gadgets.com\""),
        ("subject", "\"Replacement part for Model X45T\""),
        ("attributes", """[{"key":"CustomerId","value":"7762123-01"},{"key":"Class","value":"Commercial"}]"""),
    ];

    /// <summary>
    /// Builds an item object from the valid item's properties. Each change replaces the raw JSON value of the property it
    /// names, a null value removes that property, and a name the valid item lacks is appended at the end.
    /// </summary>
    public static string Item(params (string Name, string? Json)[] changes)
    {
        var members = new List<string>();
        foreach (var (name, json) in ValidProperties)
        {
            var value = json;
            foreach (var change in changes)
            {
                if (change.Name == name)
                {
                    value = change.Json;
                }
            }

            if (value is not null)
            {
                members.Add($"\"{name}\":{value}");
            }
        }

        foreach (var change in changes)
        {
            var isKnownProperty = ValidProperties.Any(property => property.Name == change.Name);
            if (!isKnownProperty && change.Json is not null)
            {
                members.Add($"\"{change.Name}\":{change.Json}");
            }
        }

        return "{" + string.Join(",", members) + "}";
    }

    /// <summary>Builds the valid item followed by raw extra members, such as a repeated property name.</summary>
    public static string ValidItemWithMembers(string members) => ValidItem[..^1] + "," + members + "}";

    /// <summary>Builds a body whose item 0 is the valid item and item 1 is the given item.</summary>
    public static string AfterValidItem(string item) => $"[{ValidItem},{item}]";

    /// <summary>Builds a body of <paramref name="count"/> copies of the valid item, each with its own entityId.</summary>
    public static string ValidItems(int count)
    {
        var items = Enumerable.Range(0, count)
            .Select(index => Item(("entityId", Quote($"entity-{index}"))));
        return "[" + string.Join(",", items) + "]";
    }

    /// <summary>Builds an attributes array of <paramref name="count"/> distinct attributes, key0 to keyN.</summary>
    public static string Attributes(int count)
    {
        var attributes = Enumerable.Range(0, count).Select(index => Attribute($"key{index}", $"value{index}"));
        return "[" + string.Join(",", attributes) + "]";
    }

    /// <summary>Builds one attribute object. Both texts are inserted verbatim, so they must be JSON-safe.</summary>
    public static string Attribute(string key, string value) => $$"""{"key":"{{key}}","value":"{{value}}"}""";

    /// <summary>Wraps text in quotes without escaping it, so callers pass JSON-safe text or their own escapes.</summary>
    public static string Quote(string text) => "\"" + text + "\"";

    /// <summary>Returns <paramref name="count"/> copies of the letter a.</summary>
    public static string Letters(int count) => new('a', count);

    /// <summary>Returns <paramref name="count"/> emoji characters, which is twice as many UTF-16 code units.</summary>
    public static string Emoji(int count) => string.Concat(Enumerable.Repeat(EmojiCharacter, count));

    /// <summary>Encodes JSON text as UTF-8 without a byte order mark.</summary>
    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);
}
