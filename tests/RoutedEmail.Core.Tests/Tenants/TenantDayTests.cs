using System.Globalization;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Core.Tests.Tenants;

public sealed class TenantDayTests
{
    [Theory]
    [InlineData("2026-03-02T09:00:00Z", "UTC", "2026-03-02T00:00:00Z")]
    [InlineData("2026-03-03T05:59:59Z", "America/Chicago", "2026-03-02T06:00:00Z")]
    [InlineData("2026-03-03T06:00:00Z", "America/Chicago", "2026-03-03T06:00:00Z")]
    [InlineData("2026-03-02T20:00:00Z", "Asia/Tokyo", "2026-03-02T15:00:00Z")]
    public void StartOf_Zone_ReturnsLocalMidnight(string now, string zone, string expected)
    {
        var start = TenantDay.StartOf(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture), zone);

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), start);
    }

    [Fact]
    public void StartOf_MidnightSkipped_FirstLocalTime()
    {
        // Chile moves its clocks from 00:00 to 01:00 on 2026-09-06 (tzdata), so that day has no midnight.
        var now = new DateTimeOffset(2026, 9, 6, 12, 0, 0, TimeSpan.Zero);

        var start = TenantDay.StartOf(now, "America/Santiago");

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.FromHours(-3), start.Offset);
    }
}
