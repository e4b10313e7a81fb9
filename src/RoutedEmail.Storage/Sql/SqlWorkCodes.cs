using System.Data.Common;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Storage.Sql;

/// <summary>Work code groups in SQLite.</summary>
internal static class SqlWorkCodes
{
    /// <summary>Creates or replaces a group, returning true when it was created.</summary>
    public static bool Put(DbConnection connection, DbTransaction transaction, long tenantId, WorkCodeGroup group)
    {
        using var exists = connection.Command(
            "SELECT 1 FROM work_code_groups WHERE tenant_id = @tenant AND name = @name", transaction);
        var created = exists.With("@tenant", tenantId).With("@name", group.Name).ExecuteScalar() is null;
        using var put = connection.Command(
            """
            INSERT INTO work_code_groups (tenant_id, name, codes) VALUES (@tenant, @name, @codes)
            ON CONFLICT (tenant_id, name) DO UPDATE SET codes = excluded.codes
            """, transaction);
        put.With("@tenant", tenantId).With("@name", group.Name).With("@codes", SqlCommands.ToJson(group.Codes))
            .ExecuteNonQuery();
        return created;
    }

    /// <summary>Reads the tenant's groups by name, or only the named one when <paramref name="name"/> is set.</summary>
    public static List<WorkCodeGroup> Read(
        DbConnection connection, DbTransaction? transaction, long tenantId, string? name)
    {
        using var read = connection.Command(
            """
            SELECT name, codes, enabled FROM work_code_groups
            WHERE tenant_id = @tenant AND (CAST(@name AS TEXT) IS NULL OR name = @name)
            ORDER BY name
            """, transaction);
        read.With("@tenant", tenantId).With("@name", name);
        using var reader = read.ExecuteReader();
        var groups = new List<WorkCodeGroup>();
        while (reader.Read())
        {
            groups.Add(new WorkCodeGroup(
                reader.GetString(0), SqlCommands.FromJson<List<string>>(reader.GetString(1)), reader.GetBoolean(2)));
        }

        return groups;
    }

    /// <summary>Returns the first of the named groups that does not exist, or null when all exist.</summary>
    public static string? FindMissing(
        DbConnection connection, DbTransaction transaction, long tenantId, IEnumerable<string> names)
    {
        var existing = Read(connection, transaction, tenantId, null).Select(group => group.Name)
            .ToHashSet(StringComparer.Ordinal);
        return names.FirstOrDefault(name => !existing.Contains(name));
    }

    /// <summary>Reads the codes of the named groups, in group order then code order, each code once.</summary>
    public static List<string> ReadCodes(
        DbConnection connection, DbTransaction transaction, long tenantId, IReadOnlyList<string> groupNames)
    {
        var groups = Read(connection, transaction, tenantId, null).ToDictionary(group => group.Name, StringComparer.Ordinal);
        return groupNames.Where(groups.ContainsKey).SelectMany(name => groups[name].Codes)
            .Distinct(StringComparer.Ordinal).ToList();
    }
}
