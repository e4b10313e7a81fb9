namespace RoutedEmail.Core.Ingest;

/// <summary>
/// Limits on an ingest request. String lengths count Unicode characters (code points), not UTF-16 code units,
/// so an emoji counts as one character.
/// </summary>
public static class IngestLimits
{
    /// <summary>The only accepted platform code, in the header and in every item.</summary>
    public const string PlatformCode = "AWS Connect";

    /// <summary>Maximum number of items in one request.</summary>
    public const int MaxItems = 1000;

    /// <summary>Maximum request body size in bytes: 8 MiB, enough for <see cref="MaxItems"/> typical items.</summary>
    public const long MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Maximum JSON nesting depth. A valid request nests 4 levels: array, item, attributes, attribute.</summary>
    public const int MaxDepth = 8;

    /// <summary>
    /// Maximum number of properties in an item or attribute object, including unknown ones, which are ignored: 100.
    /// </summary>
    public const int MaxPropertiesPerObject = 100;

    /// <summary>Maximum number of attributes per item.</summary>
    public const int MaxAttributes = 10;

    /// <summary>Maximum length of an attribute key and of an attribute value, in characters.</summary>
    public const int MaxAttributeLength = 255;

    /// <summary>Maximum length of <c>companyCode</c>, <c>environment</c> and <c>platform</c>, in characters.</summary>
    public const int MaxCodeLength = 64;

    /// <summary>Maximum length of <c>ownerId</c> and <c>entityId</c>, in characters.</summary>
    public const int MaxIdLength = 255;

    /// <summary>
    /// Maximum length of <c>fromAddress</c>, <c>toAddress</c> and <c>subject</c>, in characters: the line limit of
    /// RFC 5322, since each is a display literal that may hold several addresses.
    /// </summary>
    public const int MaxDisplayLength = 998;
}
