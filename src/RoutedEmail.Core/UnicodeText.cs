namespace RoutedEmail.Core;

/// <summary>Text lengths in Unicode code points, the unit of every length limit of the APIs.</summary>
public static class UnicodeText
{
    /// <summary>
    /// Counts the Unicode code points of a string, so that a character outside the Basic Multilingual Plane, such as
    /// an emoji, counts once rather than as two UTF-16 code units.
    /// </summary>
    public static int CountCharacters(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
