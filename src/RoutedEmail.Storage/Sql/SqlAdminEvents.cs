using System.Data.Common;
using RoutedEmail.Core.Emails;

namespace RoutedEmail.Storage.Sql;

/// <summary>
/// The events of administrative changes that have no row of their own to name: tenant settings, API keys,
/// retention settings and webhooks. The detail names the resource and the actor, never a setting's value, key or
/// secret.
/// </summary>
internal static class SqlAdminEvents
{
    /// <summary>The kind of a change of the tenant's own settings.</summary>
    public const string Tenant = "Tenant";

    /// <summary>The kind of an API key rotation.</summary>
    public const string ApiKey = "ApiKey";

    /// <summary>The kind of a change of the tenant's retention settings.</summary>
    public const string Retention = "Retention";

    /// <summary>The kind of a webhook and of a replay of its deliveries.</summary>
    public const string Webhook = "Webhook";

    /// <summary>
    /// Appends an event whose detail contains <c>kind</c>, <c>name</c>, <c>by</c> and, when given, <c>action</c>,
    /// <c>deliveryId</c> and <c>count</c>. Absent values are left out of the detail, not stored as null.
    /// </summary>
    public static void Append(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset now, string type,
        string kind, string name, string actor, string? action = null, long? deliveryId = null, int? count = null)
    {
        var detail = new Dictionary<string, object>(StringComparer.Ordinal) { ["kind"] = kind, ["name"] = name };
        if (action is not null)
        {
            detail["action"] = action;
        }

        if (deliveryId is { } id)
        {
            detail["deliveryId"] = id;
        }

        if (count is { } value)
        {
            detail["count"] = value;
        }

        detail["by"] = actor;
        SqlCommands.AppendEvent(connection, transaction, tenantId, now, type, detail: SqlCommands.ToJson(detail));
    }

    /// <summary>Appends the <c>ResourceChanged</c> event of an API key rotation, without the key or its hash.</summary>
    public static void AppendKeyRotation(
        DbConnection connection, DbTransaction transaction, long tenantId, DateTimeOffset now, string actor) =>
        Append(connection, transaction, tenantId, now, EventTypes.ResourceChanged, ApiKey,
            ReadTenantName(connection, transaction, tenantId), actor, action: "Rotate");

    /// <summary>Reads the name that tenant-wide events give the tenant: its company code, a slash, its environment.</summary>
    public static string ReadTenantName(DbConnection connection, DbTransaction transaction, long tenantId)
    {
        using var command = connection.Command(
            "SELECT company_code, environment FROM tenants WHERE id = @tenant", transaction);
        using var reader = command.With("@tenant", tenantId).ExecuteReader();
        return reader.Read() ? TenantName(reader.GetString(0), reader.GetString(1)) : tenantId.ToString(
            System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Returns the name that tenant-wide events give a tenant.</summary>
    public static string TenantName(string companyCode, string environment) => companyCode + "/" + environment;
}
