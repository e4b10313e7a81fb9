using System.Globalization;

namespace RoutedEmail.Bench.Figures;

/// <summary>One measured figure with its target.</summary>
/// <param name="Name">What was measured, such as "routing latency p99".</param>
/// <param name="Value">The measured value, in <paramref name="Unit"/>.</param>
/// <param name="Unit">The unit of the value, such as "ms", or "" for a ratio.</param>
/// <param name="Target">The target as text, such as "≤ 10 ms".</param>
/// <param name="Met">Whether the value meets the target; null for a figure that is only reported.</param>
/// <param name="Note">How this run differs from the definition, such as fewer agents in a quick run; or null.</param>
internal sealed record Figure(string Name, double Value, string Unit, string Target, bool? Met, string? Note = null)
{
    /// <summary>The verdict as printed: met, MISSED or reported.</summary>
    public string Verdict => Met switch
    {
        true => "met",
        false => "MISSED",
        null => "reported",
    };

    /// <summary>Creates a figure whose target is a maximum.</summary>
    public static Figure AtMost(string name, double value, string unit, double max, string? note = null) =>
        new(name, value, unit, $"≤ {Format(max)}{Suffix(unit)}", value <= max, note);

    /// <summary>Creates a figure whose target is a minimum.</summary>
    public static Figure AtLeast(string name, double value, string unit, double min, string? note = null) =>
        new(name, value, unit, $"≥ {Format(min)}{Suffix(unit)}", value >= min, note);

    /// <summary>Formats a value with three significant digits at most, and no exponent.</summary>
    public static string Format(double value)
    {
        var decimals = Math.Abs(value) switch
        {
            >= 100 => 0,
            >= 10 => 1,
            >= 1 => 2,
            _ => 3,
        };
        return value.ToString("N" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>Returns the line printed for the figure: name, value, target, verdict and note.</summary>
    public override string ToString()
    {
        var note = Note is null ? "" : $" ({Note})";
        return $"{Name}: {Format(Value)}{Suffix(Unit)}, target {Target}: {Verdict}{note}";
    }

    private static string Suffix(string unit) => unit.Length == 0 ? "" : " " + unit;
}
