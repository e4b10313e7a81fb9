using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Core.Ingest;

/// <summary>Checks parsed requests against their tenant: the headers and the routed email configurations.</summary>
public static class RoutedEmailBatchValidator
{
    /// <summary>
    /// Checks that every item names the tenant of the headers, so that no request can put email into another
    /// tenant. Company codes and environments compare without regard to letter case.
    /// </summary>
    /// <returns>The first error, or null when every item matches.</returns>
    public static IngestError? CheckTenant(IReadOnlyList<RoutedEmailRequest> requests, Tenant tenant)
    {
        for (var index = 0; index < requests.Count; index++)
        {
            var request = requests[index];
            if (!string.Equals(request.CompanyCode, tenant.CompanyCode, StringComparison.OrdinalIgnoreCase))
            {
                return Mismatch(index, "companyCode", request.CompanyCode, "X-sc-company-code", tenant.CompanyCode);
            }

            if (!string.Equals(request.Environment, tenant.Environment, StringComparison.OrdinalIgnoreCase))
            {
                return Mismatch(index, "environment", request.Environment, "X-sc-company-environment",
                    tenant.Environment);
            }
        }

        return null;
    }

    /// <summary>Checks that every item's <c>ownerId</c> has an enabled routed email configuration.</summary>
    /// <param name="requests">The parsed requests.</param>
    /// <param name="configurations">The tenant's configurations by owner id; other owners may be missing.</param>
    /// <param name="isRetry">
    /// Tells whether an entity id is a retry of an email already received. A retry is not checked, because it
    /// changes nothing and must succeed even after its configuration was disabled or removed.
    /// </param>
    /// <returns>The first error, or null when every owner maps to an enabled configuration.</returns>
    public static IngestError? CheckOwners(
        IReadOnlyList<RoutedEmailRequest> requests,
        IReadOnlyDictionary<string, RoutedEmailConfiguration> configurations,
        Func<string, bool>? isRetry = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(configurations);
        for (var index = 0; index < requests.Count; index++)
        {
            if (isRetry?.Invoke(requests[index].EntityId) == true)
            {
                continue;
            }

            var ownerId = requests[index].OwnerId;
            if (!configurations.TryGetValue(ownerId, out var configuration))
            {
                return new IngestError(index, "ownerId",
                    $"Item {index}, field \"ownerId\": no routed email configuration exists for \"{ownerId}\". " +
                    "Create one for this owner id, or send an owner id that has one.");
            }

            if (!configuration.Enabled)
            {
                return new IngestError(index, "ownerId",
                    $"Item {index}, field \"ownerId\": the routed email configuration for \"{ownerId}\" is disabled. " +
                    "Enable it, or send an owner id whose configuration is enabled.");
            }
        }

        return null;
    }

    private static IngestError Mismatch(int index, string field, string value, string header, string expected) =>
        new(index, field,
            $"Item {index}, field \"{field}\": \"{value}\" does not match the {header} header, \"{expected}\". " +
            "Every item must name the tenant of the request headers.");
}
