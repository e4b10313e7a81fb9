using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Client.Tests.Infrastructure;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests;

/// <summary>
/// An integrator whose key comes from Secrets Manager keeps working across a rotation: the real service, moto and
/// the SDK as registered with <c>AddRoutedEmailClient</c>. The tests write each new key to the secret themselves,
/// as the service's publishing would.
/// </summary>
[Collection(AwsEmulatorCollection.Name)]
public sealed class RotationTests(AwsEmulator aws)
{
    private static readonly TimeSpan AfterGracePeriod = TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Send_AfterGracePeriod_RefreshesKey()
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(time: serverTime);
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("rotation");
        await aws.SecretsManager().PutSecretValueCreatingAsync(secretName, tenant.ApiKey, CancellationToken.None);
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(server, tenant, secretName, logs, new FakeTimeProvider());
        var client = services.GetRequiredService<RoutedEmailClient>();
        await client.SendAsync(ClientApiTests.Request("before-rotation"));

        var newKey = await tenant.RotateAsync(server);
        await aws.SecretsManager().PutSecretValueAsync(secretName, newKey, CancellationToken.None);
        serverTime.Advance(AfterGracePeriod);
        await client.SendAsync(ClientApiTests.Request("after-rotation"));

        Assert.NotNull(await client.FindAsync("after-rotation"));
        Assert.Single(logs.MessagesOf(9302));
        Assert.Single(logs.MessagesOf(9401));
        Assert.Equal(2, logs.MessagesOf(9301).Count());
    }

    [Fact]
    public async Task Send_DuringGracePeriod_OldKeyWorks()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("grace");
        await aws.SecretsManager().PutSecretValueCreatingAsync(secretName, tenant.ApiKey, CancellationToken.None);
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(server, tenant, secretName, logs, new FakeTimeProvider());
        var client = services.GetRequiredService<RoutedEmailClient>();
        await client.SendAsync(ClientApiTests.Request("before-rotation"));

        var newKey = await tenant.RotateAsync(server);
        await aws.SecretsManager().PutSecretValueAsync(secretName, newKey, CancellationToken.None);
        await client.SendAsync(ClientApiTests.Request("in-grace"));

        Assert.NotNull(await client.FindAsync("in-grace"));
        Assert.Empty(logs.MessagesOf(9302));
    }

    [Fact]
    public async Task Send_StaleSecret_ThrowsAfterRefresh()
    {
        await using var server = await TestServer.StartAsync();
        var tenant = await TestTenant.CreateAsync(server);
        var secretName = AwsEmulator.NewSecretName("stale");
        await aws.SecretsManager().PutSecretValueCreatingAsync(secretName, "not-a-key", CancellationToken.None);
        using var logs = new CapturingLoggerProvider();
        await using var services = Services(server, tenant, secretName, logs, new FakeTimeProvider());

        var exception = await Assert.ThrowsAsync<RoutedEmailException>(
            () => services.GetRequiredService<RoutedEmailClient>().SendAsync(ClientApiTests.Request("stale")));

        Assert.True(exception.IsAuthenticationFailure);
        Assert.Contains("that SecretName is the secret", exception.Message, StringComparison.Ordinal);
        Assert.Contains("read again after the first rejection", exception.Message, StringComparison.Ordinal);
        Assert.Single(logs.MessagesOf(9302));
        Assert.Single(logs.MessagesOf(9402));
    }

    private ServiceProvider Services(
        TestServer server, TestTenant tenant, string secretName, CapturingLoggerProvider logs, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddSingleton(time);
        services.AddSingleton<IAwsCredentialsProvider>(new StaticCredentialsProvider(aws.Credentials));
        services.AddRoutedEmailClient(options =>
        {
            options.BaseAddress = server.BaseAddress;
            options.CompanyCode = tenant.CompanyCode;
            options.Environment = tenant.Environment;
            options.SecretsRegion = AwsEmulator.Region;
            options.SecretName = secretName;
            options.SecretsManagerServiceUrl = aws.Endpoint;
        });
        return services.BuildServiceProvider();
    }
}
