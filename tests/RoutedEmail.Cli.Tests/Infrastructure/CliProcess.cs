using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Cli.Tests.Infrastructure;

/// <summary>
/// Runs the routed-email tool as a separate process (<c>dotnet routed-email.dll</c>), from the build output of
/// src/RoutedEmail.Cli in the same configuration as the tests.
/// </summary>
internal static class CliProcess
{
    private static readonly string ToolPath = FindTool();

    /// <summary>
    /// Runs the tool with an environment that has no AWS or ROUTED_EMAIL_ setting of this machine, plus
    /// <paramref name="environment"/>.
    /// </summary>
    public static Task<ProcessResult> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = ExternalProcess.IsolatedAwsEnvironment();
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("ROUTED_EMAIL_", StringComparison.Ordinal))
            {
                variables[name] = null;
            }
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return ExternalProcess.RunAsync("dotnet", [ToolPath, .. arguments], environment: variables);
    }

    private static string FindTool()
    {
        // The tests run from tests/RoutedEmail.Cli.Tests/bin/{Configuration}/{TargetFramework}/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(root, "src", "RoutedEmail.Cli", "bin", configuration, framework, "routed-email.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The tool is not built at {path}. Build RoutedEmail.slnx first.");
    }
}
