using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace RoutedEmail.Core.Tests.Ingest.Fuzz;

/// <summary>
/// How long a fuzz test runs, and where it keeps the inputs that failed. By default a test runs a fixed number of
/// cases, a few seconds in all; <c>ROUTED_EMAIL_FUZZ_SECONDS=600</c> runs each for that many seconds instead.
/// </summary>
internal static class FuzzBudget
{
    public const string SecondsVariable = "ROUTED_EMAIL_FUZZ_SECONDS";

    /// <summary>The seconds from <c>ROUTED_EMAIL_FUZZ_SECONDS</c>, or -1 when it is unset.</summary>
    public static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), out var seconds) && seconds > 0
            ? seconds
            : -1;

    /// <summary>The CsCheck iteration count: the default when no duration is set, else -1 for "run by time".</summary>
    public static long Iterations(long defaultIterations) => Seconds > 0 ? -1 : defaultIterations;

    /// <summary>The folder of kept failing inputs, in the source tree so that a new file can be committed.</summary>
    public static string RegressionDirectory([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(sourceFile))!, "FuzzRegressions");

    /// <summary>Saves a failing input under the hash of its bytes and returns the file's path.</summary>
    public static string Keep(byte[] body)
    {
        var directory = RegressionDirectory();
        Directory.CreateDirectory(directory);
        var name = Convert.ToHexStringLower(SHA256.HashData(body), 0, 8) + ".json";
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, body);
        return path;
    }

    /// <summary>Returns every kept input, by file name.</summary>
    public static IEnumerable<string> KeptInputs() =>
        Directory.Exists(RegressionDirectory())
            ? Directory.EnumerateFiles(RegressionDirectory(), "*.json").Order(StringComparer.Ordinal)
            : [];
}

/// <summary>
/// Keeps the shortest input that failed during one fuzz run. CsCheck shrinks a failure by running smaller inputs,
/// so the shortest one seen is the one worth keeping as a regression file.
/// </summary>
internal sealed class ShortestFailure
{
    private readonly Lock _lock = new();
    private byte[]? _body;

    /// <summary>Runs a check on a body, and records the body when the check throws, before rethrowing.</summary>
    public void Run(byte[] body, Action<byte[]> check)
    {
        try
        {
            check(body);
        }
        catch
        {
            lock (_lock)
            {
                if (_body is null || body.Length < _body.Length)
                {
                    _body = body;
                }
            }

            throw;
        }
    }

    /// <summary>Saves the shortest failing input, if any, and returns its path.</summary>
    public string? Keep()
    {
        lock (_lock)
        {
            return _body is null ? null : FuzzBudget.Keep(_body);
        }
    }
}
