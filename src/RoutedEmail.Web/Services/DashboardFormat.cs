using System.Globalization;

namespace RoutedEmail.Web.Services;

/// <summary>Text forms of the supervisor dashboard's figures.</summary>
public static class DashboardFormat
{
    /// <summary>Formats whole seconds as <c>m:ss</c>, or <c>h:mm:ss</c> from one hour on.</summary>
    public static string Duration(long seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}:{span:mm\\:ss}")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span:ss}");
    }

    /// <summary>Formats a service level as a percentage with one decimal, or a dash when nothing was offered.</summary>
    public static string ServiceLevel(double? percent) =>
        percent is { } value ? value.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–";
}
