using RoutedEmail.Storage.Tests.Sqlite;

namespace RoutedEmail.Storage.Tests.Retention;

/// <summary>Retention, report totals and erasure on a real SQLite file.</summary>
public sealed class SqliteRetentionStoreTests
{
    [Fact]
    public void ExpireAsync_RandomHistory_ReportsUnchanged() =>
        RetentionScenarios.ReportsEqualAfterExpiry(async check =>
        {
            await using var database = TestDatabase.Create();
            await check(new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time));
        }, iterations: 40);

    [Fact]
    public async Task ExpireAsync_MixedHistory_DeletesExactlyPastRetention()
    {
        await using var database = TestDatabase.Create();
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);

        await RetentionScenariosDeletes.ExpiryDeletesExactlyPastRetentionAsync(harness);
    }

    [Fact]
    public async Task EraseAsync_TwoGenerations_ErasesEachOnce()
    {
        await using var database = TestDatabase.Create();
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);
        var other = await database.CreateTenantAsync("other");

        await RetentionScenariosDeletes.EraseOverwritesEveryGenerationOnceAsync(harness, other);
    }

    [Fact]
    public async Task SaveSettingsAsync_Saved_ReadsBack()
    {
        await using var database = TestDatabase.Create();
        var harness = new RetentionHarness(database.Database, await database.CreateTenantAsync(), database.Time);
        var other = await database.CreateTenantAsync("other");

        await RetentionScenariosDeletes.SettingsRoundTripAsync(harness, other);
    }
}
