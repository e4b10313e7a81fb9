using Microsoft.Extensions.Options;
using RoutedEmail.Server;

try
{
    var app = RoutedEmailApp.Build(args);
    await app.RunAsync();
}
catch (Exception exception) when (exception is InvalidOperationException or OptionsValidationException)
{
    // A setting or the database stopped the start. The message names the value and the fix, so the exit is a
    // plain error with code 1 instead of a crash with a stack trace.
    await Console.Error.WriteLineAsync($"RoutedEmail did not start: {exception.Message}");
    return 1;
}

// A failure after the start, such as a store that never became ready, sets the exit code to 1.
return Environment.ExitCode;
