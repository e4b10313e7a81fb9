namespace RoutedEmail.Web.Services;

/// <summary>
/// Prepares text that comes from a CRM or an administrator for display. Unicode's bidirectional embedding,
/// override and isolate controls (U+202A to U+202E, U+2066 to U+2069) are replaced by U+FFFD, so a value such as
/// "\u202Eexe.live" cannot show as "evil.exe" or reverse the text after it.
/// </summary>
public static class ShownText
{
    /// <summary>Returns the text with every bidirectional control replaced by U+FFFD, or empty for null.</summary>
    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(IsBidiControl))
        {
            return text ?? string.Empty;
        }

        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsBidiControl(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }

    private static bool IsBidiControl(char character) =>
        character is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}
