using System.Net;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>A write to Secrets Manager that fails because the emulator is stopped, and its retries.</summary>
public sealed class PublishFailureTests
{
    // This emulator checks no signatures, so any key signs.
    private static readonly AwsCredentials AnyKey = new("AKIAIOSFODNN7EXAMPLE", "any-secret");

    [Fact]
    public async Task Rotate_EmulatorStopped_OldKeyKeepsWorking()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var emulator = await MotoServer.StartAsync(initialNoAuthActionCount: null);
        var port = emulator.Port;
        var endpoint = emulator.Endpoint;
        await using var server = await TestServer.StartAsync(
            time: time, settings: KeyTenant.AwsSettings(endpoint, AnyKey));
        var secretName = MotoFixture.NewSecretName("stopped");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });
        await emulator.DisposeAsync();

        using var rotate = await server.Admin.PostAsync($"{tenant.TenantPath}/api-key/rotate", null);
        var problem = await IngestAssert.ProblemAsync(rotate, HttpStatusCode.BadGateway);
        var failed = await tenant.GetAsync();
        using var withOld = await tenant.IngestAsync(tenant.FirstKey, "during-outage");

        Assert.Contains(secretName, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(endpoint.ToString(), problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, failed["secretsManager"]!["failures"]!.GetValue<int>());
        Assert.Contains(endpoint.ToString(), failed["secretsManager"]!["lastError"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30),
            failed["secretsManager"]!["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        await IngestAssert.SucceededAsync(withOld);

        // The first retry fails too, and the next waits twice as long.
        time.Advance(TimeSpan.FromSeconds(30));
        await KeyTenant.WaitUntilAsync(
            async () => (await tenant.GetAsync())["secretsManager"]!["failures"]!.GetValue<int>() == 2,
            "the first retry failed");
        var retried = await tenant.GetAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(60),
            retried["secretsManager"]!["nextAttemptAt"]!.GetValue<DateTimeOffset>());

        await using var restartedEmulator = await MotoServer.StartOnPortAsync(port, initialNoAuthActionCount: null);
        time.Advance(TimeSpan.FromSeconds(60));
        await KeyTenant.WaitUntilAsync(
            async () => (await tenant.GetAsync())["secretsManager"]!["lastError"] is null, "the retry succeeded");
        var published = await SecretReader.ReadAsync(endpoint, AnyKey, secretName, "AWSCURRENT");
        var recovered = await tenant.GetAsync();
        using var withNew = await tenant.IngestAsync(published, "after-outage-new");
        using var withPrevious = await tenant.IngestAsync(tenant.FirstKey, "after-outage-old");

        Assert.NotEqual(tenant.FirstKey, published);
        Assert.Equal(0, recovered["secretsManager"]!["failures"]!.GetValue<int>());
        Assert.False(recovered["secretsManager"]!["keyPending"]!.GetValue<bool>());
        Assert.Null(recovered["secretsManager"]!["nextAttemptAt"]);
        await IngestAssert.SucceededAsync(withNew);
        await IngestAssert.SucceededAsync(withPrevious);
    }

    [Fact]
    public async Task CreateTenant_EmulatorStopped_FailureShown()
    {
        var emulator = await MotoServer.StartAsync(initialNoAuthActionCount: null);
        var endpoint = emulator.Endpoint;
        await emulator.DisposeAsync();
        await using var server = await TestServer.StartAsync(settings: KeyTenant.AwsSettings(endpoint, AnyKey));

        var tenant = await KeyTenant.CreateAsync(
            server, new { enabled = true, secretName = MotoFixture.NewSecretName("never") });
        using var ingest = await tenant.IngestAsync(tenant.FirstKey, "unpublished-1");

        Assert.Equal(1, tenant.Created["secretsManager"]!["failures"]!.GetValue<int>());
        Assert.Null(tenant.Created["secretsManager"]!["lastPublishedAt"]);
        Assert.NotNull(tenant.Created["secretsManager"]!["nextAttemptAt"]);
        await IngestAssert.SucceededAsync(ingest);
    }
}
