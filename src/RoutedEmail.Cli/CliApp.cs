using System.CommandLine;
using System.Text.Json;

namespace RoutedEmail.Cli;

/// <summary>The routed-email command tree and the error handling shared by its commands.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Send, look up and cancel routed emails, and administer tenants of a RoutedEmail service.");
        CommonOptions.AddTo(root);
        var commands = IntegratorCommands.Create().Concat(AdminCommands.Create()).Append(SignInCommand.Create());
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            const string Usage = "Run 'routed-email --help' or 'routed-email COMMAND --help' for usage.";
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync(Usage);
            if (args.Contains("--json", StringComparer.Ordinal))
            {
                // A script that asked for JSON gets its error document even when the command line is invalid.
                var message = string.Join(" ", parse.Errors.Select(parseError => parseError.Message).Append(Usage));
                await output.WriteLineAsync(JsonSerializer.Serialize(
                    new { error = new { exitCode = ExitCodes.Usage, message } }, Output.JsonOptions));
            }

            return ExitCodes.Usage;
        }

        Current.Value = (output, error);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>
    /// Runs a command's work and maps its failure to an exit code and a message on standard error. With --json,
    /// the error is also written to standard output as <c>{"error": {...}}</c>.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<Output, Task> work)
    {
        var (standardOutput, standardError) = Current.Value;
        var output = new Output(standardOutput, parse.GetValue(CommonOptions.Json));
        try
        {
            await work(output);
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var (exitCode, message) = ErrorReporter.Describe(exception);
            await standardError.WriteLineAsync($"error: {message}");
            if (output.IsJson)
            {
                await standardOutput.WriteLineAsync(JsonSerializer.Serialize(
                    new { error = new { exitCode, message } }, Output.JsonOptions));
            }

            return exitCode;
        }
    }

    public static Task<int> RunAsync(ParseResult parse, Action<Output> work) =>
        RunAsync(parse, output =>
        {
            work(output);
            return Task.CompletedTask;
        });

    private static readonly AsyncLocal<(TextWriter Output, TextWriter Error)> Current = new();
}
