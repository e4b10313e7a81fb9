using Npgsql;

namespace RoutedEmail.Storage.Tests.Postgres;

/// <summary>
/// Writes that create a deadline send the cluster message DeadlinesChanged from a trigger, delivered at commit, so
/// the other nodes learn of the deadline even when the writing node dies before it sends its own message.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDeadlineNotificationTests(PostgresCluster cluster)
{
    private const string Expected = """{"node":"database","kind":"DeadlinesChanged"}""";

    // Statement triggers fire also when no row matches, so each write needs no data of its own.
    [Theory]
    [InlineData("INSERT INTO offers (tenant_id) SELECT tenant_id FROM offers WHERE FALSE")]
    [InlineData("UPDATE routed_emails SET wrap_ends_at = wrap_ends_at WHERE FALSE")]
    [InlineData("UPDATE agents SET hub_gone_at = hub_gone_at WHERE FALSE")]
    public async Task DeadlineWrite_Committed_NotifiesOnce(string write)
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var listener = await ListenAsync(database.ConnectionString);
        var received = new List<string>();
        listener.Notification += (_, notification) => received.Add(notification.Payload);

        await using (var writer = new NpgsqlConnection(database.ConnectionString))
        {
            await writer.OpenAsync();
            await using var transaction = await writer.BeginTransactionAsync();
            await new NpgsqlCommand(write, writer, transaction).ExecuteNonQueryAsync();
            await new NpgsqlCommand(write, writer, transaction).ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        await WaitForNotificationsAsync(listener);
        Assert.Equal([Expected], received);
    }

    [Fact]
    public async Task DeadlineWrite_RolledBack_NotifiesNothing()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        await using var listener = await ListenAsync(database.ConnectionString);
        var received = new List<string>();
        listener.Notification += (_, notification) => received.Add(notification.Payload);

        await using (var writer = new NpgsqlConnection(database.ConnectionString))
        {
            await writer.OpenAsync();
            await using var transaction = await writer.BeginTransactionAsync();
            await new NpgsqlCommand("UPDATE agents SET hub_gone_at = hub_gone_at WHERE FALSE", writer, transaction)
                .ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await WaitForNotificationsAsync(listener);
        Assert.Empty(received);
    }

    private static async Task<NpgsqlConnection> ListenAsync(string connectionString)
    {
        var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        await new NpgsqlCommand("LISTEN routed_email_cluster", listener).ExecuteNonQueryAsync();
        return listener;
    }

    /// <summary>Reads the notifications that arrive within one second.</summary>
    private static async Task WaitForNotificationsAsync(NpgsqlConnection listener)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            while (true)
            {
                await listener.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Every notification sent so far has been read.
        }
    }
}
