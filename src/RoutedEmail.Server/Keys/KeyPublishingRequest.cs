using System.Text.RegularExpressions;
using RoutedEmail.Server.Admin;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>
/// Checks the publishing fields of a tenant POST or PUT and merges them with the stored settings. Every error goes
/// into the request's validation problem under its field name.
/// </summary>
internal static partial class KeyPublishingRequest
{
    /// <summary>The secret name used when a tenant names none, as the Generic Routed Email API documents it.</summary>
    public const string DefaultSecretName = "SYMBEE_CONNECT_API_KEY";

    private const int MaxRotationDays = 365;

    /// <summary>Returns the settings after the request, given the stored ones or null for a new tenant.</summary>
    /// <param name="stored">The stored settings, or null for a new tenant.</param>
    /// <param name="request">The request's publishing fields, or null when it has none.</param>
    /// <param name="keyRotationDays">The request's <c>keyRotationDays</c>, or null when missing.</param>
    /// <param name="defaultRotationDays">The period for a tenant that starts publishing without naming one.</param>
    /// <param name="validation">Collects the errors.</param>
    public static KeyPublishingSettings Resolve(
        KeyPublishingSettings? stored, SecretsManagerRequest? request, int? keyRotationDays, int defaultRotationDays,
        RequestValidation validation)
    {
        var enabled = request?.Enabled ?? stored?.Enabled ?? false;
        var secretName = request?.SecretName ?? stored?.SecretName ?? DefaultSecretName;
        var roleArn = Replace(stored?.RoleArn, request?.RoleArn);
        var externalId = Replace(stored?.ExternalId, request?.ExternalId);
        if (request?.RoleArn == string.Empty && request.ExternalId is null)
        {
            externalId = null;
        }

        if (!SecretNamePattern().IsMatch(secretName))
        {
            validation.Add("secretsManager.secretName",
                $"secretsManager.secretName \"{secretName}\" is invalid: use 1 to 512 ASCII letters, digits or " +
                $"/_+=.@- characters, such as \"{DefaultSecretName}\".");
        }

        if (roleArn is not null && !RoleArnPattern().IsMatch(roleArn))
        {
            validation.Add("secretsManager.roleArn",
                $"secretsManager.roleArn \"{roleArn}\" is not an IAM role ARN. Use the form " +
                "arn:aws:iam::123456789012:role/NAME, or send \"\" to write with the service's own credentials.");
        }

        if (externalId is not null && !ExternalIdPattern().IsMatch(externalId))
        {
            validation.Add("secretsManager.externalId",
                "secretsManager.externalId is invalid: use 2 to 1224 letters, digits or +=,.@:/- characters.");
        }
        else if (externalId is not null && roleArn is null)
        {
            validation.Add("secretsManager.externalId",
                "secretsManager.externalId is set but no roleArn is: an external id belongs to a role's trust " +
                "policy. Set secretsManager.roleArn too, or leave externalId out.");
        }

        var days = ResolveRotationDays(stored, enabled, keyRotationDays, defaultRotationDays, validation);
        return new KeyPublishingSettings(enabled, secretName, roleArn, externalId, days);
    }

    /// <summary>
    /// Returns whether the change needs a new key written at once: publishing was switched on, or the secret,
    /// role or region changed while it is on.
    /// </summary>
    public static bool NeedsPublishing(
        KeyPublishingSettings? stored, KeyPublishingSettings settings, bool regionChanged) =>
        settings.Enabled
        && (stored is not { Enabled: true } || regionChanged || stored.SecretName != settings.SecretName
            || stored.RoleArn != settings.RoleArn || stored.ExternalId != settings.ExternalId);

    private static int? ResolveRotationDays(
        KeyPublishingSettings? stored, bool enabled, int? requested, int defaultRotationDays,
        RequestValidation validation)
    {
        if (requested is { } days)
        {
            if (days < 0 || days > MaxRotationDays)
            {
                validation.Add("keyRotationDays",
                    $"keyRotationDays is {days}; it must be from 1 to {MaxRotationDays}, or 0 for no scheduled " +
                    "rotation.");
                return null;
            }

            if (days > 0 && !enabled)
            {
                validation.Add("keyRotationDays",
                    $"keyRotationDays is {days} but secretsManager.enabled is false. A scheduled rotation would " +
                    "replace the key without telling anyone the new one, so it needs publishing: set " +
                    "secretsManager.enabled to true, or send keyRotationDays 0.");
                return null;
            }

            return days == 0 ? null : days;
        }

        if (!enabled)
        {
            return null;
        }

        // A tenant that starts publishing gets the default schedule; one that already published keeps its own.
        return stored is { Enabled: true } ? stored.KeyRotationDays : defaultRotationDays;
    }

    /// <summary>Keeps the stored value when the request has none, and removes it on an empty string.</summary>
    private static string? Replace(string? stored, string? requested)
    {
        if (requested is null)
        {
            return stored;
        }

        return requested.Length == 0 ? null : requested;
    }

    [GeneratedRegex("^[A-Za-z0-9/_+=.@-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$",
        RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[A-Za-z0-9+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}
