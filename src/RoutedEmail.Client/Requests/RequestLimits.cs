namespace RoutedEmail.Client;

/// <summary>
/// The service's limits on a routed email request. Lengths count Unicode characters (code points), as the
/// service counts them, so an emoji counts once.
/// </summary>
public static class RequestLimits
{
    /// <summary>The maximum number of requests in one batch.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The maximum number of attributes of one request.</summary>
    public const int MaxAttributes = 10;

    /// <summary>The maximum length of an attribute key or value.</summary>
    public const int MaxAttributeLength = 255;

    /// <summary>The maximum length of an owner id or entity id.</summary>
    public const int MaxIdLength = 255;

    /// <summary>The maximum length of a from address, to address or subject.</summary>
    public const int MaxDisplayLength = 998;

    internal static int Length(string value) => value.EnumerateRunes().Count();

    internal static void CheckLength(string value, int max, string name)
    {
        var length = Length(value);
        if (length > max)
        {
            throw new ArgumentException(
                $"The {name} has {length} characters, more than the maximum {max}. Shorten it.", name);
        }
    }

    internal static void CheckId(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The {name} is empty or whitespace. Set a non-empty id.", name);
        }

        if (value.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"The {name} '{value}' contains a control character, which the service rejects. Remove it.",
                name);
        }

        CheckLength(value, MaxIdLength, name);
    }
}
