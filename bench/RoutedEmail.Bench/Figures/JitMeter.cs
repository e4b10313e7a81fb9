using System.Globalization;

namespace RoutedEmail.Bench.Figures;

/// <summary>
/// Reads how much time the server's JIT compiler has spent so far, from the runtime's
/// <c>dotnet.jit.compilation.time</c> counter on the server's <c>/metrics</c> page.
/// </summary>
internal sealed class JitMeter(HttpClient server)
{
    private const string MetricsPath = "/metrics";
    private const string CounterName = "dotnet_jit_compilation_time_seconds_total";

    /// <summary>Returns the server's JIT compilation time since it started.</summary>
    /// <exception cref="InvalidOperationException">The page has no such counter.</exception>
    public async Task<TimeSpan> ReadAsync()
    {
        var page = await server.GetStringAsync(MetricsPath);
        foreach (var line in page.Split('\n'))
        {
            // A sample line is the name, optional labels in braces, a space and the value.
            if (!line.StartsWith(CounterName, StringComparison.Ordinal)
                || line.Length == CounterName.Length
                || line[CounterName.Length] is not ('{' or ' '))
            {
                continue;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            return TimeSpan.FromSeconds(double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        throw new InvalidOperationException(
            $"The server's {MetricsPath} page has no {CounterName} line, so the warm-up cannot tell when the JIT " +
            "compiler has settled. Check that the server still exports the System.Runtime meter.");
    }
}
