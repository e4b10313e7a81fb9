using System.CommandLine;
using System.Globalization;

namespace RoutedEmail.Cli;

/// <summary>
/// Creates options that take a whole number and reject anything else with a message that names the option and the
/// value, in place of System.CommandLine's message, which names the .NET type.
/// </summary>
internal static class WholeNumberOption
{
    public static Option<int?> Create(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens);
                if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError($"{name} \"{token}\" is not a whole number. Give digits only, such as {name} 30.");
                return null;
            },
        };
}
