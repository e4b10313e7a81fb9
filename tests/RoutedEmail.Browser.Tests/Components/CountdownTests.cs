using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Web.Components;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class CountdownTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly BunitContext _context = new();
    private readonly FakeTimeProvider _time = new(Start);

    public CountdownTests() => _context.Services.AddSingleton<TimeProvider>(_time);

    [Fact]
    public void Countdown_ClockAdvances_ShowsRemainingTime()
    {
        var countdown = _context.Render<Countdown>(parameters => parameters
            .Add(component => component.Until, Start.AddSeconds(61))
            .Add(component => component.Label, "Expires in"));
        Assert.Equal("Expires in: 1:01", countdown.Find("span").TextContent.Trim());

        _time.Advance(TimeSpan.FromSeconds(1));

        countdown.WaitForAssertion(() => Assert.Equal("Expires in: 1:00", countdown.Find("span").TextContent.Trim()));
        Assert.Equal("Expires in: 1:00", countdown.Find("span").GetAttribute("aria-label"));
    }

    [Fact]
    public void Countdown_DeadlinePassed_ShowsPassedText()
    {
        var countdown = _context.Render<Countdown>(parameters => parameters
            .Add(component => component.Until, Start.AddSeconds(2))
            .Add(component => component.Label, "Expires in")
            .Add(component => component.PassedText, "expired"));

        _time.Advance(TimeSpan.FromSeconds(3));

        countdown.WaitForAssertion(() => Assert.Equal("Expires in: expired", countdown.Find("span").TextContent.Trim()));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(59.9, "0:59")]
    [InlineData(61, "1:01")]
    [InlineData(3599, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(86_399, "23:59:59")]
    [InlineData(-5, "0:00")]
    public void Format_Seconds_MinutesAndSeconds(double seconds, string expected) =>
        Assert.Equal(expected, TickingComponent.Format(TimeSpan.FromSeconds(seconds)));

    public void Dispose() => _context.Dispose();
}
