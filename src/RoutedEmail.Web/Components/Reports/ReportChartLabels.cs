using RoutedEmail.Web.Services;

namespace RoutedEmail.Web.Components.Reports;

/// <summary>The time axis labels of the report charts.</summary>
internal static class ReportChartLabels
{
    // The axis shows about this many labels however many intervals there are, so they do not overlap on a phone.
    private const int MaxAxisLabels = 8;

    /// <summary>
    /// Returns the step between two value axis ticks, so that about six ticks cover <paramref name="max"/>. With the
    /// default of MudBlazor 9.14 the axis of a count of 2 reaches 20, which flattens the bars of a quiet range.
    /// </summary>
    public static int TickStep(double max) => Math.Max(1, (int)Math.Ceiling(max / 6));

    /// <summary>Returns one label per interval start, leaving all but about every nth empty.</summary>
    public static string[] Thin(IEnumerable<DateTimeOffset> starts, bool isDay)
    {
        var list = starts.ToList();
        var step = Math.Max(1, (int)Math.Ceiling(list.Count / (double)MaxAxisLabels));
        return list.Select((start, index) => index % step == 0 ? ReportFormat.AxisLabel(start, isDay) : "").ToArray();
    }
}
