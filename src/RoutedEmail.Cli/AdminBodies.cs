using System.CommandLine;

namespace RoutedEmail.Cli;

internal static partial class AdminCommands
{
    private static BodyOptions QueueBody()
    {
        var offerTimeout = WholeNumberOption.Create("--offer-timeout-seconds",
            "Seconds an agent has to accept an offer.");
        var wrap = WholeNumberOption.Create("--wrap-seconds", "Wrap time after completion, in seconds.");
        var serviceLevel = WholeNumberOption.Create("--service-level-seconds",
            "Service-level target, in seconds.");
        var groups = new Option<string[]>("--work-code-group")
        {
            Description = "A work code group the queue accepts; repeat for more.",
            DefaultValueFactory = _ => [],
        };
        var required = new Option<bool>("--work-code-required") { Description = "Require a work code at completion." };
        return new BodyOptions(
            [offerTimeout, wrap, serviceLevel, groups, required],
            parse =>
            {
                var body = new Dictionary<string, object?>();
                AddIfSet(body, "offerTimeoutSeconds", parse.GetValue(offerTimeout));
                AddIfSet(body, "wrapSeconds", parse.GetValue(wrap));
                AddIfSet(body, "serviceLevelSeconds", parse.GetValue(serviceLevel));
                body["workCodeGroups"] = parse.GetValue(groups) ?? [];
                body["workCodeRequired"] = parse.GetValue(required);
                return body;
            });
    }

    private static BodyOptions ConfigurationBody()
    {
        var queue = new Option<string>("--skill-queue")
        {
            Description = "The skill queue it routes to.",
            Required = true,
        };
        var priority = WholeNumberOption.Create("--priority",
            "Priority, where a larger number is served first. Default 0.");
        var disabled = new Option<bool>("--disabled")
        {
            Description = "Store it disabled, so ingest rejects its owner id.",
        };
        var description = new Option<string?>("--description") { Description = "A description for administrators." };
        var screenPop = new Option<string?>("--screen-pop-url-template")
        {
            Description = "Screen-pop URL with {entityId} and {AttributeKey} placeholders.",
        };
        return new BodyOptions(
            [queue, priority, disabled, description, screenPop],
            parse =>
            {
                var body = new Dictionary<string, object?>
                {
                    ["skillQueue"] = parse.GetValue(queue),
                    ["enabled"] = !parse.GetValue(disabled),
                };
                AddIfSet(body, "priority", parse.GetValue(priority));
                AddIfSet(body, "description", parse.GetValue(description));
                AddIfSet(body, "screenPopUrlTemplate", parse.GetValue(screenPop));
                return body;
            });
    }

    private static BodyOptions AgentBody()
    {
        const string PasswordVariable = "ROUTED_EMAIL_AGENT_PASSWORD";
        var displayName = new Option<string?>("--display-name") { Description = "The name agents and reports show." };
        var password = new Option<string?>("--password")
        {
            Description = $"The agent's sign-in password (or ${PasswordVariable}); left out, the password is kept.",
        };
        var maxEmails = WholeNumberOption.Create("--max-concurrent-emails",
            "Emails the agent holds at once.");
        var queues = new Option<string[]>("--skill-queue")
        {
            Description = "A queue the agent serves, as NAME or NAME:RANK (rank 1 is best); repeat for more.",
            DefaultValueFactory = _ => [],
        };
        return new BodyOptions(
            [displayName, password, maxEmails, queues],
            parse =>
            {
                var body = new Dictionary<string, object?>
                {
                    ["skillQueues"] = (parse.GetValue(queues) ?? []).Select(ParseQueueRank).ToList(),
                };
                AddIfSet(body, "displayName", parse.GetValue(displayName));
                AddIfSet(body, "password", CommonOptions.ValueOrVariable(parse, password, PasswordVariable));
                AddIfSet(body, "maxConcurrentEmails", parse.GetValue(maxEmails));
                return body;
            });
    }

    private static BodyOptions UserBody()
    {
        const string PasswordVariable = "ROUTED_EMAIL_USER_PASSWORD";
        var displayName = new Option<string?>("--display-name") { Description = "The name pages and reports show." };
        var password = new Option<string?>("--password")
        {
            Description = $"The user's sign-in password (or ${PasswordVariable}); required for a new user, and " +
                "left out, the password is kept.",
        };
        var roles = new Option<string[]>("--role")
        {
            Description = "A role of the user: Agent, Supervisor or Administrator; repeat for more.",
            Required = true,
        };
        return new BodyOptions(
            [displayName, password, roles],
            parse =>
            {
                var body = new Dictionary<string, object?> { ["roles"] = parse.GetValue(roles) ?? [] };
                AddIfSet(body, "displayName", parse.GetValue(displayName));
                AddIfSet(body, "password", CommonOptions.ValueOrVariable(parse, password, PasswordVariable));
                return body;
            });
    }

    private static BodyOptions WorkCodeBody()
    {
        var codes = new Option<string[]>("--code")
        {
            Description = "A work code of the group; repeat for more (1 to 200).",
            Required = true,
        };
        return new BodyOptions([codes], parse => new { codes = parse.GetValue(codes) ?? [] });
    }

    private static object ParseQueueRank(string value)
    {
        var separator = value.LastIndexOf(':');
        if (separator < 0)
        {
            return new { name = value, rank = 1 };
        }

        return int.TryParse(value[(separator + 1)..], out var rank) && separator > 0
            ? new { name = value[..separator], rank }
            : throw new CliException(
                ExitCodes.Usage, $"--skill-queue '{value}' is not NAME or NAME:RANK. Pass, for example, parts:1.");
    }
}
