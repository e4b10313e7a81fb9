using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Hosting;

namespace RoutedEmail.Server.Tests;

public sealed class StorageFailuresTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Record_FirstFailure_IsLogged()
    {
        var failures = new StorageFailures(_time);

        Assert.True(failures.Record(out var skipped));
        Assert.Equal(0, skipped);
    }

    [Fact]
    public void Record_WithinLogInterval_IsCountedNotLogged()
    {
        var failures = new StorageFailures(_time);
        failures.Record(out _);

        _time.Advance(StorageFailures.LogInterval - TimeSpan.FromMilliseconds(1));

        Assert.False(failures.Record(out _));
        Assert.False(failures.Record(out _));
    }

    [Fact]
    public void Record_AfterLogInterval_IsLoggedWithSkippedCount()
    {
        var failures = new StorageFailures(_time);
        failures.Record(out _);
        failures.Record(out _);
        failures.Record(out _);

        _time.Advance(StorageFailures.LogInterval);

        Assert.True(failures.Record(out var skipped));
        Assert.Equal(2, skipped);
    }

    [Fact]
    public void RecentFailure_WithinReadinessWindow_IsLastFailure()
    {
        var failures = new StorageFailures(_time);
        failures.Record(out _);
        _time.Advance(TimeSpan.FromSeconds(5));
        failures.Record(out _);
        var last = _time.GetUtcNow();

        _time.Advance(StorageFailures.ReadinessWindow - TimeSpan.FromMilliseconds(1));

        Assert.Equal(last, failures.RecentFailure);
    }

    [Fact]
    public void RecentFailure_AfterReadinessWindow_IsNull()
    {
        var failures = new StorageFailures(_time);
        failures.Record(out _);

        _time.Advance(StorageFailures.ReadinessWindow);

        Assert.Null(failures.RecentFailure);
    }

    [Fact]
    public void RecentFailure_NoFailure_IsNull()
    {
        Assert.Null(new StorageFailures(_time).RecentFailure);
    }
}
