using System.CommandLine;
using System.Globalization;
using System.Text;
using RoutedEmail.Client;

namespace RoutedEmail.Cli;

/// <summary>The integrator commands: send, status, cancel and explain.</summary>
internal static class IntegratorCommands
{
    private static readonly Argument<string> EntityId = new("entity-id")
    {
        Description = "The entity id the email was sent with.",
    };

    public static IEnumerable<Command> Create()
    {
        yield return Send();
        yield return WithEntityId("status", "Show a routed email's state, queue, agent and history.", StatusAsync);
        yield return WithEntityId("cancel", "Cancel a routed email in any open state.", CancelAsync);
        yield return WithEntityId("explain", "Explain where a routed email is and why.", ExplainAsync);
    }

    private static Command Send()
    {
        var file = new Option<string?>("--file") { Description = "A JSON file of request objects (ingest format)." };
        var ownerId = new Option<string?>("--owner-id") { Description = "The routed email configuration's owner id." };
        var entityId = new Option<string?>("--entity-id") { Description = "Your id of the email." };
        var from = new Option<string?>("--from") { Description = "The original From address." };
        var to = new Option<string?>("--to") { Description = "The original To address." };
        var subject = new Option<string?>("--subject") { Description = "The subject." };
        var attributes = new Option<string[]>("--attribute")
        {
            Description = "An attribute as KEY=VALUE; repeat for more, at most 10.",
            DefaultValueFactory = _ => [],
        };
        var command = new Command("send", "Queue routed emails from a JSON file or from flags.")
        {
            file, ownerId, entityId, from, to, subject, attributes,
        };
        IntegratorSession.AddOptionsTo(command);
        command.SetAction((parse, cancellationToken) => CliApp.RunAsync(parse, async output =>
        {
            var input = parse.GetValue(file) is { } path
                ? await SendInput.ReadFileAsync(path, cancellationToken)
                : SendInput.FromFlags(
                    Flag(parse, ownerId), Flag(parse, entityId), parse.GetValue(from) ?? string.Empty,
                    parse.GetValue(to) ?? string.Empty, parse.GetValue(subject) ?? string.Empty,
                    parse.GetValue(attributes) ?? []);
            await using var session = IntegratorSession.Create(parse, input.CompanyCode, input.Environment);
            CheckTenant(session.Options, input);
            await session.RunAsync(client => client.SendAsync(input.Requests, cancellationToken));
            var entityIds = input.Requests.Select(request => request.EntityId).ToList();
            output.Write(
                new { responseEnum = "SUCCESS", count = entityIds.Count, entityIds },
                result => $"Queued {result.count} routed email(s): {string.Join(", ", result.entityIds)}");
        }));
        return command;
    }

    private static Command WithEntityId(
        string name, string description, Func<RoutedEmailClient, string, Output, CancellationToken, Task> run)
    {
        var command = new Command(name, description) { EntityId };
        IntegratorSession.AddOptionsTo(command);
        command.SetAction((parse, cancellationToken) => CliApp.RunAsync(parse, async output =>
        {
            var entityId = parse.GetRequiredValue(EntityId);
            if (string.IsNullOrWhiteSpace(entityId))
            {
                throw new CliException(
                    ExitCodes.Usage,
                    $"The entity id '{entityId}' is empty or whitespace. Pass the entity id the email was sent with.");
            }

            await using var session = IntegratorSession.Create(parse, null, null);
            await session.RunAsync(client => run(client, entityId, output, cancellationToken));
        }));
        return command;
    }

    private static async Task StatusAsync(
        RoutedEmailClient client, string entityId, Output output, CancellationToken cancellationToken)
    {
        var email = await client.FindAsync(entityId, cancellationToken) ?? throw NotFound(entityId);
        output.Write(email, Describe);
    }

    private static async Task CancelAsync(
        RoutedEmailClient client, string entityId, Output output, CancellationToken cancellationToken)
    {
        var email = await client.CancelAsync(entityId, cancellationToken);
        output.Write(email, details => $"Cancelled.\n{Describe(details)}");
    }

    private static async Task ExplainAsync(
        RoutedEmailClient client, string entityId, Output output, CancellationToken cancellationToken)
    {
        var explanation = await client.ExplainAsync(entityId, cancellationToken) ?? throw NotFound(entityId);
        output.Write(explanation, Describe);
    }

    private static string Describe(RoutedEmailDetails email)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Entity id   {email.EntityId}");
        text.AppendLine(CultureInfo.InvariantCulture, $"State       {email.State}");
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Queue       {email.SkillQueue} (owner {email.OwnerId}, priority {email.Priority})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Agent       {email.AgentId ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Subject     {email.Subject}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Enqueued    {email.EnqueuedAt:u}");
        text.AppendLine("History");
        foreach (var entry in email.History)
        {
            var agent = entry.AgentId is null ? string.Empty : " " + entry.AgentId;
            text.AppendLine(CultureInfo.InvariantCulture, $"  {entry.At:u}  {entry.Event}{agent}");
        }

        return text.ToString();
    }

    private static string Describe(RoutedEmailExplanation explanation)
    {
        var text = new StringBuilder();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"{explanation.EntityId}: {explanation.State}. {explanation.Summary}");
        if (explanation.Position is { } position)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Position {position} of {explanation.QueueSize}");
        }

        foreach (var agent in explanation.Agents)
        {
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  {agent.AgentId} ({agent.Status}): {agent.Reason}. {agent.Detail}");
        }

        return text.ToString();
    }

    private static void CheckTenant(RoutedEmailClientOptions options, SendInput input)
    {
        if (input.CompanyCode is { } company
            && !string.Equals(company, options.CompanyCode, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ExitCodes.Usage,
                $"The file's companyCode '{company}' differs from --company '{options.CompanyCode}'. Make them match.");
        }

        if (input.Environment is { } environment
            && !string.Equals(environment, options.Environment, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ExitCodes.Usage,
                $"The file's environment '{environment}' differs from --environment '{options.Environment}'. " +
                "Make them match.");
        }
    }

    private static string Flag(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) ?? throw new CliException(
            ExitCodes.Usage, $"{option.Name} is missing. Pass --file FILE, or {option.Name} with the other flags.");

    private static CliException NotFound(string entityId) =>
        new(ExitCodes.NotFound, $"No routed email with entity id '{entityId}' for this tenant. Check the entity " +
            "id, --company and --environment.");
}
