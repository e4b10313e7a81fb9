using System.CommandLine;

namespace RoutedEmail.Cli;

/// <summary>
/// The administrator commands: tenants, skill queues, routed email configurations, agents, work codes and key
/// rotation. Each sends the admin token from --admin-token or ROUTED_EMAIL_ADMIN_TOKEN.
/// </summary>
internal static partial class AdminCommands
{
    public static readonly Option<string?> AdminToken = new("--admin-token")
    {
        Description = $"The service's admin token (or ${CommonOptions.AdminTokenVariable}).",
    };

    public static IEnumerable<Command> Create()
    {
        yield return Tenants();
        yield return Resource("queues", "skill-queues", "skill queue", "name", QueueBody());
        yield return Resource(
            "configurations", "routed-email-configurations", "routed email configuration", "owner-id",
            ConfigurationBody());
        yield return Resource("agents", "agents", "agent", "agent-id", AgentBody());
        yield return Resource("users", "users", "user", "user-id", UserBody());
        yield return Resource("work-codes", "work-code-groups", "work code group", "group", WorkCodeBody());
        yield return ApiKey();
    }

    private static Command Tenants()
    {
        var list = AdminCommand("list", "List every tenant, without keys.", (api, parse, output, token) =>
            ShowAsync(api, HttpMethod.Get, "api/v1/tenants", null, "list tenants", output, token));
        var show = AdminCommand(
            "show", "Show the tenant of --company and --environment.", (api, parse, output, token) =>
            ShowAsync(api, HttpMethod.Get, TenantPath(parse), null, "show tenant", output, token));

        var createBody = TenantSettingsBody();
        var create = AdminCommand(
            "create", "Create the tenant of --company and --environment, and print its API key once.",
            async (api, parse, output, token) =>
            {
                var body = (Dictionary<string, object?>)createBody.Build(parse);
                body["companyCode"] = Tenant(parse).Company;
                body["environment"] = Tenant(parse).Environment;
                var tenant = await api.SendAsync(HttpMethod.Post, "api/v1/tenants", body, "create tenant", token);
                output.WriteDocument(tenant);
            });
        createBody.Options.ToList().ForEach(create.Options.Add);

        var updateBody = TenantSettingsBody();
        var update = AdminCommand(
            "update", "Change the settings of the tenant of --company and --environment; others are kept.",
            (api, parse, output, token) => ShowAsync(
                api, HttpMethod.Put, TenantPath(parse), updateBody.Build(parse), "update tenant", output, token));
        updateBody.Options.ToList().ForEach(update.Options.Add);
        return new Command("tenants", "Create, list, show and update tenants.") { list, show, create, update };
    }

    private static Command ApiKey()
    {
        var rotate = AdminCommand(
            "rotate",
            "Replace the tenant's API key and print the new key. The previous key keeps working for the grace " +
            "period; rotating again within it ends the previous key at once.",
            async (api, parse, output, token) =>
            {
                var (company, environment) = Tenant(parse);
                var result = await api.SendAsync(
                    HttpMethod.Post, TenantPath(parse) + "/api-key/rotate", null, "rotate API key", token,
                    RotateOutcomeUnknownAdvice(company, environment));
                if (output.IsJson)
                {
                    output.WriteDocument(result);
                    return;
                }

                if (!result.TryGetProperty("apiKey", out var apiKey)
                    || !result.TryGetProperty("previousKeyExpiresAt", out var previousKeyExpiresAt))
                {
                    throw new CliException(
                        ExitCodes.Usage,
                        "The rotate response has no apiKey or previousKeyExpiresAt, so --base-url may not be the " +
                        "RoutedEmail service. Check --base-url, and the tenant's key state with " +
                        $"'routed-email tenants show --company {company} --environment {environment}'.");
                }

                output.Writer.WriteLine($"New API key: {apiKey.GetString()}");
                output.Writer.WriteLine($"The previous key stops working at {previousKeyExpiresAt.GetString()}.");
            });
        return new Command("api-key", "Rotate a tenant's API key.") { rotate };
    }

    /// <summary>
    /// Returns the advice after a failed or unanswered rotation. A second rotation would end the previous key at
    /// once, although the service publishes a new key by itself at its retry time, and the write may have
    /// succeeded with its response lost.
    /// </summary>
    private static string RotateOutcomeUnknownAdvice(string company, string environment) =>
        "Do not rotate again: the service retries writing a new key by itself at the time in the message, and " +
        "this write may have succeeded with its response lost. Check the tenant's key state with " +
        $"'routed-email tenants show --company {company} --environment {environment}'.";

    /// <summary>Builds list, show and put subcommands of one kind of tenant object.</summary>
    private static Command Resource(
        string name, string pathSegment, string noun, string idName, BodyOptions body)
    {
        var id = new Argument<string>(idName) { Description = $"The {noun}'s name or id." };
        var list = AdminCommand("list", $"List the tenant's {noun}s.", (api, parse, output, token) =>
            ShowAsync(api, HttpMethod.Get, $"{TenantPath(parse)}/{pathSegment}", null, $"list {noun}s", output, token));
        var show = AdminCommand("show", $"Show one {noun}.", (api, parse, output, token) =>
            ShowAsync(api, HttpMethod.Get, ObjectPath(parse, pathSegment, id), null, $"show {noun}", output, token));
        show.Arguments.Add(id);
        var put = AdminCommand(
            "put", $"Create or replace a {noun}; an option left out takes its default.",
            (api, parse, output, token) => ShowAsync(
                api, HttpMethod.Put, ObjectPath(parse, pathSegment, id), body.Build(parse), $"put {noun}", output,
                token));
        put.Arguments.Add(id);
        foreach (var option in body.Options)
        {
            put.Options.Add(option);
        }

        return new Command(name, $"List, show, create and replace {noun}s.") { list, show, put };
    }

    private static Command AdminCommand(
        string name, string description, Func<AdminApi, ParseResult, Output, CancellationToken, Task> run)
    {
        var command = new Command(name, description) { AdminToken };
        command.SetAction((parse, cancellationToken) => CliApp.RunAsync(parse, async output =>
        {
            var token = CommonOptions.ValueOrVariable(parse, AdminToken, CommonOptions.AdminTokenVariable)
                ?? throw new CliException(
                    ExitCodes.Authentication,
                    $"The admin token is missing. Pass --admin-token or set {CommonOptions.AdminTokenVariable}.");
            using var api = new AdminApi(CommonOptions.BaseAddress(parse), token);
            await run(api, parse, output, cancellationToken);
        }));
        return command;
    }

    private static async Task ShowAsync(
        AdminApi api, HttpMethod method, string path, object? body, string operation, Output output,
        CancellationToken cancellationToken) =>
        output.WriteDocument(await api.SendAsync(method, path, body, operation, cancellationToken));

    private static (string Company, string Environment) Tenant(ParseResult parse) =>
        (CommonOptions.Required(parse, CommonOptions.Company, CommonOptions.CompanyVariable, "abc-gadgets"),
         CommonOptions.Required(parse, CommonOptions.Environment, CommonOptions.EnvironmentVariable, "prod"));

    private static string TenantPath(ParseResult parse)
    {
        var (company, environment) = Tenant(parse);
        return AdminApi.TenantPath(company, environment);
    }

    private static string ObjectPath(ParseResult parse, string pathSegment, Argument<string> id) =>
        $"{TenantPath(parse)}/{pathSegment}/{Uri.EscapeDataString(parse.GetRequiredValue(id))}";

    private static void AddIfSet(Dictionary<string, object?> body, string name, object? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    /// <summary>The options of a put command and how they become its JSON body.</summary>
    private sealed record BodyOptions(IReadOnlyList<Option> Options, Func<ParseResult, object> Build);
}
