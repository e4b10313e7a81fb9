using Microsoft.AspNetCore.Components;

namespace RoutedEmail.Web.Components;

/// <summary>A component that renders again every second on the injected clock, for countdowns and elapsed times.</summary>
public abstract class TickingComponent : ComponentBase, IDisposable
{
    private ITimer? _timer;

    /// <summary>The clock; tests inject a fake one and advance it.</summary>
    [Inject]
    public required TimeProvider Time { get; set; }

    /// <summary>The current time on <see cref="Time"/>.</summary>
    protected DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Formats a duration as <c>m:ss</c>, or <c>h:mm:ss</c> from one hour on; negative counts as zero.</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = Math.Max(0, (long)Math.Floor(duration.TotalSeconds));
        var hours = seconds / 3600;
        var minutes = seconds / 60 % 60;
        var rest = seconds % 60;
        return hours > 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{rest:00}")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{minutes}:{rest:00}");
    }

    public void Dispose()
    {
        _timer?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void OnInitialized() =>
        _timer = Time.CreateTimer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1));
}
