using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Tests.Infrastructure;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>
/// A write whose response was lost leaves the pending key in <c>AWSCURRENT</c>, where integrators read it. While the
/// secret cannot be read, the service must keep accepting that key and not replace it, and once the secret can be
/// read again it makes that key current without another write.
/// </summary>
public sealed class LostAnswerTests
{
    // This emulator checks no signatures, so any key signs.
    private static readonly AwsCredentials AnyKey = new("AKIAIOSFODNN7EXAMPLE", "any-secret");

    [Fact]
    public async Task PendingKeyInSecret_SecretUnreadable_StaysAccepted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var emulator = await MotoServer.StartAsync(initialNoAuthActionCount: null);
        await using var proxy = LoopbackProxy.Reserve(emulator.Port);
        var endpoint = new Uri($"http://127.0.0.1:{proxy.Port}");
        proxy.Start();
        await using var server = await TestServer.StartAsync(
            time: time, settings: KeyTenant.AwsSettings(endpoint, AnyKey));
        var secretName = MotoFixture.NewSecretName("lost");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });

        // The service stored a pending key and wrote it, but the response never arrived.
        var lostKey = SecretTokens.Create();
        var tenantId = (await server.Services.GetRequiredService<ITenantStore>()
            .FindTenantAsync(tenant.CompanyCode, tenant.Environment, default))!.Id;
        await server.Services.GetRequiredService<ITenantKeyStore>()
            .SetPendingKeyAsync(tenantId, SecretTokens.Hash(lostKey), default);
        // One key in 64 starts with '-', which the CLI reads as an option unless the value follows '='.
        var written = await AwsCli.RunAsync(endpoint, AnyKey,
            "secretsmanager", "put-secret-value", "--secret-id", secretName, $"--secret-string={lostKey}");
        Assert.True(written.ExitCode == 0, $"aws secretsmanager put-secret-value failed: {written.StandardError}");
        await proxy.StopAsync();

        using var rotate = await server.Admin.PostAsync($"{tenant.TenantPath}/api-key/rotate", null);
        time.Advance(TimeSpan.FromSeconds(30));
        await KeyTenant.WaitUntilAsync(
            async () => (await tenant.GetAsync())["secretsManager"]!["failures"]!.GetValue<int>() >= 2,
            "the background retry failed too");
        using var duringOutage = await tenant.IngestAsync(lostKey, "during-outage");

        Assert.Equal(HttpStatusCode.BadGateway, rotate.StatusCode);
        await IngestAssert.SucceededAsync(duringOutage);

        proxy.Start();
        time.Advance(TimeSpan.FromMinutes(1));
        await KeyTenant.WaitUntilAsync(
            async () => !(await tenant.GetAsync())["secretsManager"]!["keyPending"]!.GetValue<bool>(),
            "the pending key was made current");
        var current = await SecretReader.ReadAsync(endpoint, AnyKey, secretName, "AWSCURRENT");
        using var withLost = await tenant.IngestAsync(lostKey, "after-outage-new");
        using var withFirst = await tenant.IngestAsync(tenant.FirstKey, "after-outage-old");

        Assert.Equal(lostKey, current);
        await IngestAssert.SucceededAsync(withLost);
        await IngestAssert.SucceededAsync(withFirst);
    }
}
