using System.Text;

namespace RoutedEmail.Core.Emails;

/// <summary>Fills a routed email configuration's screen-pop URL template with an email's values.</summary>
public static class ScreenPopUrl
{
    /// <summary>
    /// Replaces <c>{entityId}</c> with the entity id and <c>{key}</c> with the value of the attribute of that key,
    /// each URL-encoded. A placeholder with no matching value becomes empty; other text is copied unchanged.
    /// </summary>
    /// <returns>The URL, or null when <paramref name="template"/> is null or empty.</returns>
    public static string? Render(string? template, string entityId, IReadOnlyList<EmailAttribute> attributes)
    {
        if (string.IsNullOrEmpty(template))
        {
            return null;
        }

        var url = new StringBuilder(template.Length + entityId.Length);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0)
            {
                url.Append(template, position, template.Length - position);
                break;
            }

            url.Append(template, position, open - position);
            var name = template.Substring(open + 1, close - open - 1);
            url.Append(Uri.EscapeDataString(Lookup(name, entityId, attributes)));
            position = close + 1;
        }

        return url.ToString();
    }

    private static string Lookup(string name, string entityId, IReadOnlyList<EmailAttribute> attributes)
    {
        if (name == "entityId")
        {
            return entityId;
        }

        foreach (var attribute in attributes)
        {
            if (attribute.Key == name)
            {
                return attribute.Value;
            }
        }

        return string.Empty;
    }
}
