using RoutedEmail.Server.Admin;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Keys;

/// <summary>Turns a tenant's stored key state into the <c>secretsManager</c> object of the admin API.</summary>
internal static class KeyStateResponses
{
    public static SecretsManagerResponse ToSecretsManager(TenantKeyState state) =>
        new(state.Settings.Enabled, state.Settings.SecretName, state.Settings.RoleArn, state.Settings.ExternalId,
            state.LastPublishedAt, state.LastPublishError, state.PublishFailures,
            state.Settings.Enabled ? state.PublishRetryAt : null, state.PendingApiKeyHash is not null);
}
