using RoutedEmail.Core.Agents;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Sql;

/// <summary>Away reason codes in SQLite. The away time report's reads are in SqlAwayTimeReport.cs.</summary>
internal sealed partial class SqlAwayReasonStore(SqlDatabase database, TimeProvider time) : IAwayReasonStore
{
    public Task<bool> PutAwayReasonAsync(
        long tenantId, AwayReason reason, string? actor, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, tenantId);
        using var exists = connection.Command(
            "SELECT 1 FROM away_reasons WHERE tenant_id = @tenant AND code = @code", transaction);
        var created = exists.With("@tenant", tenantId).With("@code", reason.Code).ExecuteScalar() is null;

        using var put = connection.Command(
            """
            INSERT INTO away_reasons (tenant_id, code, description) VALUES (@tenant, @code, @description)
            ON CONFLICT (tenant_id, code) DO UPDATE SET description = excluded.description
            """, transaction);
        put.With("@tenant", tenantId).With("@code", reason.Code).With("@description", reason.Description)
            .ExecuteNonQuery();
        SqlUsers.AppendAdminChange(connection, transaction, tenantId, time.GetUtcNow(), created,
            AdministeredResource.AwayReason.ToString(), reason.Code, actor);
        transaction.Commit();
        return Task.FromResult(created);
    }

    public Task<AwayReason?> GetAwayReasonAsync(long tenantId, string code, CancellationToken cancellationToken) =>
        Task.FromResult(Read(tenantId, code).FirstOrDefault());

    public Task<IReadOnlyList<AwayReason>> ListAwayReasonsAsync(long tenantId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AwayReason>>(Read(tenantId, null));

    private List<AwayReason> Read(long tenantId, string? code)
    {
        using var connection = database.Open();
        using var read = connection.Command(
            """
            SELECT code, description, enabled FROM away_reasons
            WHERE tenant_id = @tenant AND (CAST(@code AS TEXT) IS NULL OR code = @code)
            ORDER BY code
            """, null);
        read.With("@tenant", tenantId).With("@code", code);
        using var reader = read.ExecuteReader();
        var reasons = new List<AwayReason>();
        while (reader.Read())
        {
            reasons.Add(new AwayReason(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return reasons;
    }
}
