using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>
/// The <c>sign-in</c> command: signs a tenant's user in and prints the session token, which the administrator
/// commands accept in --admin-token or ROUTED_EMAIL_ADMIN_TOKEN, so that a tenant administrator needs no operator
/// token.
/// </summary>
internal static class SignInCommand
{
    public const string PasswordVariable = "ROUTED_EMAIL_PASSWORD";

    public static Command Create()
    {
        var user = new Option<string>("--user")
        {
            Description = "The user id to sign in as.",
            Required = true,
        };
        var command = new Command(
            "sign-in",
            $"Sign a user of the tenant in and print a session token for --admin-token. The password comes from " +
            $"${PasswordVariable}, or else from the first line of standard input.")
        {
            user,
        };
        command.SetAction((parse, cancellationToken) => CliApp.RunAsync(parse, async output =>
        {
            var company = CommonOptions.Required(
                parse, CommonOptions.Company, CommonOptions.CompanyVariable, "abc-gadgets");
            var environment = CommonOptions.Required(
                parse, CommonOptions.Environment, CommonOptions.EnvironmentVariable, "prod");
            var password = ReadPassword();
            var session = await SignInAsync(
                CommonOptions.BaseAddress(parse), company, environment, parse.GetRequiredValue(user), password,
                cancellationToken);
            if (output.IsJson)
            {
                output.WriteDocument(session);
                return;
            }

            output.Writer.WriteLine(session.GetProperty("token").GetString());
        }));
        return command;
    }

    private static string ReadPassword()
    {
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            password = Console.In.ReadLine();
        }

        return string.IsNullOrEmpty(password)
            ? throw new CliException(
                ExitCodes.Usage,
                $"The password is missing. Set {PasswordVariable}, or pass it on the first line of standard input.")
            : password;
    }

    private static async Task<JsonElement> SignInAsync(
        Uri baseAddress, string company, string environment, string userId, string password,
        CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        if (!baseAddress.AbsoluteUri.EndsWith('/'))
        {
            baseAddress = new Uri(baseAddress.AbsoluteUri + "/");
        }

        var body = new { companyCode = company, environment, userId, password };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(
                new Uri(baseAddress, "api/v1/sign-in"), body, Output.JsonOptions, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new RoutedEmailException("sign-in", null, $"{exception.Message} ({baseAddress}).", exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var failure = await RoutedEmailException.FromResponseAsync(response, "sign-in", cancellationToken);
                throw response.StatusCode == System.Net.HttpStatusCode.Unauthorized
                    ? new RoutedEmailException("sign-in", failure.StatusCode, failure.ServiceMessage,
                        "Check --company, --environment, --user and the password.", null)
                    : failure;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.TryGetProperty("token", out _))
                {
                    return document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                // Reported below, as for any other response that is not the service's.
            }

            throw new CliException(
                ExitCodes.Usage,
                $"The sign-in response has no token, so --base-url {baseAddress} may not be the RoutedEmail " +
                "service. Check --base-url.");
        }
    }
}
