using RoutedEmail.Storage.Tests.Postgres;

namespace RoutedEmail.Storage.Tests.Retention;

/// <summary>Retention, report totals and erasure on a real PostgreSQL database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRetentionStoreTests(PostgresCluster cluster)
{
    [Fact]
    public void ExpireAsync_RandomHistory_ReportsUnchanged() =>
        RetentionScenarios.ReportsEqualAfterExpiry(async check =>
        {
            await using var database = await PostgresTestDatabase.CreateAsync(cluster);
            await check(new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time));
        }, iterations: 15);

    [Fact]
    public async Task ExpireAsync_MixedHistory_DeletesExactlyPastRetention()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);

        await RetentionScenariosDeletes.ExpiryDeletesExactlyPastRetentionAsync(harness);
    }

    [Fact]
    public async Task EraseAsync_TwoGenerations_ErasesEachOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);
        var other = await database.CreateTenantAsync("other");

        await RetentionScenariosDeletes.EraseOverwritesEveryGenerationOnceAsync(harness, other);
    }

    [Fact]
    public async Task SaveSettingsAsync_Saved_ReadsBack()
    {
        await using var database = await PostgresTestDatabase.CreateAsync(cluster);
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);
        var other = await database.CreateTenantAsync("other");

        await RetentionScenariosDeletes.SettingsRoundTripAsync(harness, other);
    }
}
