using System.CommandLine;

namespace RoutedEmail.Cli;

internal static partial class AdminCommands
{
    /// <summary>
    /// The options of <c>tenants create</c> and <c>tenants update</c>. Only the options given go into the body, so an
    /// update keeps every setting that is left out, as the service's PUT does.
    /// </summary>
    private static BodyOptions TenantSettingsBody()
    {
        var secretsRegion = new Option<string?>("--secrets-region")
        {
            Description = "AWS region of the tenant's Secrets Manager secret, such as us-east-1.",
        };
        var timeZone = new Option<string?>("--time-zone") { Description = "IANA time zone, such as America/Chicago." };
        var origins = new Option<string[]>("--allowed-origin")
        {
            Description = "A browser origin whose pages may connect the tenant's agents to the hub, such as " +
                "https://crm.example.com; repeat for more. On update the list replaces the stored one, and \"\" " +
                "clears it.",
        };
        var publish = new Option<bool?>("--publish-key")
        {
            Description = "Write each new API key to AWS Secrets Manager: true or false (alone: true).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var secretName = new Option<string?>("--secret-name")
        {
            Description = "The secret that receives the key. Default: SYMBEE_CONNECT_API_KEY.",
        };
        var roleArn = new Option<string?>("--role-arn")
        {
            Description = "An IAM role in the tenant's AWS account that the service assumes to write the secret; " +
                "an empty value removes it.",
        };
        var externalId = new Option<string?>("--external-id")
        {
            Description = "The external id that the role's trust policy requires; an empty value removes it.",
        };
        var rotationDays = WholeNumberOption.Create("--key-rotation-days",
            "Days between scheduled key rotations, 1 to 365, or 0 for none; only with publishing.");
        return new BodyOptions(
            [secretsRegion, timeZone, origins, publish, secretName, roleArn, externalId, rotationDays],
            parse =>
            {
                var body = new Dictionary<string, object?>();
                AddIfSet(body, "secretsRegion", parse.GetValue(secretsRegion));
                AddIfSet(body, "timeZone", parse.GetValue(timeZone));
                if (parse.GetResult(origins) is not null)
                {
                    // An empty value sends an empty list, so --allowed-origin "" clears the stored origins.
                    body["allowedOrigins"] = (parse.GetValue(origins) ?? []).Where(origin => origin.Length > 0).ToArray();
                }

                var secretsManager = new Dictionary<string, object?>();
                AddIfSet(secretsManager, "enabled", PublishValue(parse, publish));
                AddIfSet(secretsManager, "secretName", parse.GetValue(secretName));
                AddIfSet(secretsManager, "roleArn", parse.GetValue(roleArn));
                AddIfSet(secretsManager, "externalId", parse.GetValue(externalId));
                if (secretsManager.Count > 0)
                {
                    body["secretsManager"] = secretsManager;
                }

                AddIfSet(body, "keyRotationDays", parse.GetValue(rotationDays));
                return body;
            });
    }

    /// <summary>Returns true for a bare <c>--publish-key</c>, its value when one is given, or null when absent.</summary>
    private static bool? PublishValue(ParseResult parse, Option<bool?> publish) =>
        parse.GetResult(publish) is { } result
            ? result.Tokens.Count == 0 || parse.GetValue(publish) == true
            : null;
}
