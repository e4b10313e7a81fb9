namespace RoutedEmail.Core.Ingest;

/// <summary>
/// Configurable limits on an ingest request, bound from the <c>Ingest</c> configuration section. The defaults are
/// the constants of <see cref="IngestLimits"/>, which follow the Generic Routed Email API. Lengths count Unicode
/// characters (code points).
/// </summary>
public sealed class IngestLimitOptions
{
    /// <summary>The configuration section name, which each rejection message puts before the option name.</summary>
    public const string SectionName = "Ingest";

    /// <summary>The limits with every default, as used when no configuration is given.</summary>
    public static IngestLimitOptions Default { get; } = new();

    /// <summary>Maximum request body size in bytes. Default: 8 MiB (8388608).</summary>
    public long MaxBodyBytes { get; set; } = IngestLimits.MaxBodyBytes;

    /// <summary>Maximum number of items in one request. Default: 1000.</summary>
    public int MaxItems { get; set; } = IngestLimits.MaxItems;

    /// <summary>Maximum JSON nesting depth; at least 4, the depth of a valid request. Default: 8.</summary>
    public int MaxDepth { get; set; } = IngestLimits.MaxDepth;

    /// <summary>Maximum number of attributes per item. Default: 10.</summary>
    public int MaxAttributes { get; set; } = IngestLimits.MaxAttributes;

    /// <summary>Maximum length of an attribute key and of an attribute value, in characters. Default: 255.</summary>
    public int MaxAttributeLength { get; set; } = IngestLimits.MaxAttributeLength;

    /// <summary>
    /// Maximum length of <c>companyCode</c>, <c>environment</c> and <c>platform</c>, in characters. Default: 64.
    /// </summary>
    public int MaxCodeLength { get; set; } = IngestLimits.MaxCodeLength;

    /// <summary>Maximum length of <c>ownerId</c> and <c>entityId</c>, in characters. Default: 255.</summary>
    public int MaxIdLength { get; set; } = IngestLimits.MaxIdLength;

    /// <summary>
    /// Maximum length of <c>fromAddress</c>, <c>toAddress</c> and <c>subject</c>, in characters. Default: 998.
    /// </summary>
    public int MaxDisplayLength { get; set; } = IngestLimits.MaxDisplayLength;

    /// <summary>
    /// Maximum number of properties in an item object and in an attribute object, counting the ones the API does
    /// not define, which are ignored. Default: 100, many more than the 9 properties of an item.
    /// </summary>
    public int MaxPropertiesPerObject { get; set; } = IngestLimits.MaxPropertiesPerObject;

    /// <summary>Lists a message for every limit out of its range, naming the setting and the fix.</summary>
    /// <returns>The messages; empty when every limit is valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBodyBytes < 1024)
        {
            errors.Add($"{SectionName}:{nameof(MaxBodyBytes)} is {MaxBodyBytes}; set at least 1024 bytes.");
        }

        if (MaxDepth < 4)
        {
            errors.Add($"{SectionName}:{nameof(MaxDepth)} is {MaxDepth}; set at least 4, the depth of a valid " +
                "request.");
        }

        CheckPositive(errors, nameof(MaxItems), MaxItems);
        CheckPositive(errors, nameof(MaxAttributes), MaxAttributes);
        CheckPositive(errors, nameof(MaxAttributeLength), MaxAttributeLength);
        CheckPositive(errors, nameof(MaxCodeLength), MaxCodeLength);
        CheckPositive(errors, nameof(MaxIdLength), MaxIdLength);
        CheckPositive(errors, nameof(MaxDisplayLength), MaxDisplayLength);
        if (MaxPropertiesPerObject < 9)
        {
            errors.Add($"{Setting(nameof(MaxPropertiesPerObject))} is {MaxPropertiesPerObject}; set at least 9, " +
                "the number of properties the API defines for an item.");
        }
        return errors;
    }

    /// <summary>Returns the setting name of an option, such as <c>Ingest:MaxItems</c>.</summary>
    internal static string Setting(string option) => $"{SectionName}:{option}";

    private static void CheckPositive(List<string> errors, string option, int value)
    {
        if (value < 1)
        {
            errors.Add($"{Setting(option)} is {value}; set a whole number of at least 1.");
        }
    }
}
