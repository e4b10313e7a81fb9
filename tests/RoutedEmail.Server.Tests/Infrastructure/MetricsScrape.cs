using System.Globalization;
using System.Net;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// One scrape of <c>/metrics</c> in the Prometheus text format, and the sample values in it. The tests of one process
/// share meter names, so a test finds its own samples by a label only it uses, such as its tenant.
/// </summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text) => Text = text;

    /// <summary>The whole response body.</summary>
    public string Text { get; }

    /// <summary>Scrapes the server and fails the test unless the status is 200.</summary>
    public static async Task<MetricsScrape> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.OK, $"GET /metrics returned {(int)response.StatusCode}: {text}");
        return new MetricsScrape(text);
    }

    /// <summary>
    /// Scrapes until the sample of <paramref name="name"/> whose labels contain all of <paramref name="labels"/> has
    /// <paramref name="expected"/> as its value, and fails the test after 10 seconds with the last value.
    /// </summary>
    public static async Task<MetricsScrape> WaitForAsync(
        HttpClient client, string name, double expected, params string[] labels)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var scrape = await ReadAsync(client);
            var value = scrape.Find(name, labels);
            if (value == expected)
            {
                return scrape;
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var actual = value?.ToString(CultureInfo.InvariantCulture) ?? "missing";
                Assert.Fail($"{name} with {string.Join(", ", labels)} is {actual}, expected {expected}. " +
                            $"Last scrape:\n{scrape.Text}");
            }
        }
    }

    /// <summary>
    /// Returns the value of the first sample named exactly <paramref name="name"/> whose label set contains all of
    /// <paramref name="labels"/> (such as <c>routed_email_tenant="acme/prod"</c>), or null when there is none.
    /// </summary>
    public double? Find(string name, params string[] labels)
    {
        foreach (var line in Text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal)
                && labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            {
                var valueStart = line.IndexOf("} ", StringComparison.Ordinal) + 2;
                var valueText = line[valueStart..].Split(' ')[0];
                return double.Parse(valueText, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
