using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Storage.Tests.Retention;

/// <summary>Checks of exactly what expiry deletes and keeps, and of erasure.</summary>
internal static partial class RetentionScenariosDeletes
{
    /// <summary>
    /// Email retention 2 days and event retention 10 days, with one email or event on each side of every rule.
    /// </summary>
    public static async Task ExpiryDeletesExactlyPastRetentionAsync(RetentionHarness harness)
    {
        var now = harness.Time.GetUtcNow();
        harness.SetRetention(emailDays: 2, eventDays: 10);
        harness.PutQueue("Sales", 60);
        harness.PutAgent("ana");
        var day = TimeSpan.FromDays(1);

        var closedLongAgo = harness.AddEmail("old", "Sales", RoutedEmailState.Canceled, now - (20 * day), now - (20 * day));
        harness.AddEvent(now - (20 * day), EventTypes.Received, closedLongAgo, queue: "Sales");
        harness.AddEvent(now - (20 * day), EventTypes.Canceled, closedLongAgo, queue: "Sales");
        harness.Execute(
            "INSERT INTO offers (tenant_id, email_id, agent_id, state, created_at, expires_at) " +
            "VALUES (@tenant, @email, 'ana', 'Declined', 0, 0)", ("@tenant", harness.TenantId), ("@email", closedLongAgo));

        var closedThreeDaysAgo = harness.AddEmail("three", "Sales", RoutedEmailState.Completed, now - (4 * day),
            now - (3 * day));
        harness.AddEvent(now - (4 * day), EventTypes.Received, closedThreeDaysAgo);
        var closedYesterday = harness.AddEmail("one", "Sales", RoutedEmailState.Completed, now - (4 * day),
            now - day);
        var openForMonths = harness.AddEmail("open", "Sales", RoutedEmailState.Queued, now - (90 * day));
        harness.AddEvent(now - (90 * day), EventTypes.Received, openForMonths, queue: "Sales");
        var straddling = harness.AddEmail("straddle", "Sales", RoutedEmailState.Canceled, now - (11 * day),
            now - (9 * day));
        harness.AddEvent(now - (11 * day), EventTypes.Received, straddling, queue: "Sales");
        harness.AddEvent(now - (9 * day), EventTypes.Canceled, straddling, queue: "Sales");

        harness.AddEvent(now - (30 * day), EventTypes.AgentStatusChanged, agentId: "ana", detail: "Available");
        harness.AddEvent(now - (15 * day), EventTypes.AgentStatusChanged, agentId: "ana", detail: "Offline");
        harness.AddEvent(now - (12 * day), EventTypes.UserSignedIn, agentId: "ana");
        harness.AddEvent(now - (5 * day), EventTypes.AgentStatusChanged, agentId: "ana", detail: "Available");

        var result = await harness.ExpireAsync(batchSize: 2);

        Assert.Equal(3, result.EmailsDeleted);
        Assert.Equal(1, result.OffersDeleted);
        Assert.Equal(4, result.EventsDeleted);
        Assert.Equal(0, result.DeliveryRecordsDeleted);
        Assert.Equal(
            [closedYesterday, openForMonths],
            Ids(harness, "SELECT id FROM routed_emails WHERE tenant_id = @tenant ORDER BY id"));
        Assert.Equal(0, harness.Count("offers"));
        Assert.Equal(0, harness.Count("events", $"email_id = {closedLongAgo}"));
        Assert.Equal(1, harness.Count("events", $"email_id = {openForMonths}"));
        Assert.Equal(2, harness.Count("events", $"email_id = {straddling}"));
        Assert.Equal(1, harness.Count("events", $"email_id = {closedThreeDaysAgo}"));
        Assert.Equal("Sales", harness.QueryScalar($"SELECT queue FROM events WHERE email_id = {closedThreeDaysAgo}"));
        Assert.Equal(0, harness.Count("events", $"type = '{EventTypes.UserSignedIn}'"));
        Assert.Equal(
            [(now - (15 * day)).ToUnixTimeMilliseconds(), (now - (5 * day)).ToUnixTimeMilliseconds()],
            Ids(harness, $"SELECT at FROM events WHERE type = '{EventTypes.AgentStatusChanged}' ORDER BY at"));
        Assert.Equal(
            Core.Reports.ReportTotals.BucketOf(now - (10 * day)), result.ReportTotalsUntil);

        var again = await harness.ExpireAsync(batchSize: 2);

        Assert.Equal(0, again.EventsDeleted + again.EmailsDeleted + again.OffersDeleted);
    }

    /// <summary>Two generations of one entity id, one closed and one offered to an agent, and one other email.</summary>
    public static async Task EraseOverwritesEveryGenerationOnceAsync(RetentionHarness harness, long otherTenantId)
    {
        var now = harness.Time.GetUtcNow();
        var closed = harness.AddEmail("e-1", "Sales", RoutedEmailState.Completed, now.AddDays(-3), now.AddDays(-2));
        var open = harness.AddEmail("e-1", "Sales", RoutedEmailState.Offered, now.AddHours(-1), agentId: "ana");
        var other = harness.AddEmail("e-2", "Sales", RoutedEmailState.Queued, now.AddHours(-1));

        var result = await harness.Retention.EraseAsync(harness.TenantId, "e-1", now, CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(2, result.Emails);
        Assert.Equal(2, result.ErasedEmails);
        Assert.Equal(12, result.ErasedFields);
        Assert.Equal(["ana"], result.AgentIds);
        foreach (var id in new[] { closed, open })
        {
            var where = $"id = {id}";
            Assert.Equal(1, harness.Count("routed_emails",
                where + " AND from_address = '[erased]' AND to_address = '[erased]' AND subject = '[erased]'" +
                " AND screen_pop_url IS NULL AND notes IS NULL AND erased_at IS NOT NULL"));
            Assert.Equal("[{\"key\":\"CustomerName\",\"value\":\"[erased]\"}]",
                harness.QueryScalar($"SELECT attributes FROM routed_emails WHERE {where}"));
            Assert.Equal(1, harness.Count("events", $"email_id = {id} AND type = 'Erased' AND detail IS NULL"));
        }

        Assert.Equal("My order", harness.QueryScalar($"SELECT subject FROM routed_emails WHERE id = {other}"));
        Assert.Equal("Offered", harness.QueryScalar($"SELECT state FROM routed_emails WHERE id = {open}"));

        var again = await harness.Retention.EraseAsync(harness.TenantId, "e-1", now, CancellationToken.None);

        Assert.NotNull(again);
        Assert.Equal(2, again.Emails);
        Assert.Equal(0, again.ErasedEmails);
        Assert.Equal(0, again.ErasedFields);
        Assert.Equal(2, harness.Count("events", "type = 'Erased'"));
        Assert.Null(await harness.Retention.EraseAsync(harness.TenantId, "e-9", now, CancellationToken.None));
        Assert.Null(await harness.Retention.EraseAsync(otherTenantId, "e-2", now, CancellationToken.None));
    }

    /// <summary>The settings read back as saved, and a new tenant has the documented defaults.</summary>
    public static async Task SettingsRoundTripAsync(RetentionHarness harness, long otherTenantId)
    {
        var saved = new RetentionSettings(7, 30, 2);

        await harness.Retention.SaveSettingsAsync(harness.TenantId, saved, CancellationToken.None);

        Assert.Equal(saved, await harness.Retention.GetSettingsAsync(harness.TenantId, CancellationToken.None));
        Assert.Equal(
            RetentionSettings.Default,
            await harness.Retention.GetSettingsAsync(otherTenantId, CancellationToken.None));
        Assert.Null(await harness.Retention.GetSettingsAsync(987_654, CancellationToken.None));
    }

    private static List<long> Ids(RetentionHarness harness, string sql)
    {
        using var connection = harness.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@tenant";
        parameter.Value = harness.TenantId;
        command.Parameters.Add(parameter);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }
}
