using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class DashboardFormatTests
{
    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59, "0:59")]
    [InlineData(65, "1:05")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(90061, "25:01:01")]
    [InlineData(-5, "0:00")]
    public void Duration_Seconds_FormatsClock(long seconds, string expected)
    {
        Assert.Equal(expected, DashboardFormat.Duration(seconds));
    }

    [Theory]
    [InlineData(100.0, "100.0 %")]
    [InlineData(66.7, "66.7 %")]
    [InlineData(null, "–")]
    public void ServiceLevel_Percent_FormatsOneDecimal(double? percent, string expected)
    {
        Assert.Equal(expected, DashboardFormat.ServiceLevel(percent));
    }
}
