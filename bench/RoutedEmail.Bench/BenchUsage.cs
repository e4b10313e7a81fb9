namespace RoutedEmail.Bench;

/// <summary>The command-line help of the benchmark.</summary>
internal sealed partial record BenchOptions
{
    /// <summary>
    /// The command-line help, from Usage.txt embedded in this assembly. bench/run prints the same file for --help
    /// without building the harness, so the text lives in that one file.
    /// </summary>
    public static string Usage { get; } = ReadUsage();

    private static string ReadUsage()
    {
        using var stream = typeof(BenchOptions).Assembly.GetManifestResourceStream("RoutedEmail.Bench.Usage.txt")
            ?? throw new InvalidOperationException(
                "The resource RoutedEmail.Bench.Usage.txt is missing from the harness. Build it with its .csproj, " +
                "which embeds bench/RoutedEmail.Bench/Usage.txt.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd();
    }
}
