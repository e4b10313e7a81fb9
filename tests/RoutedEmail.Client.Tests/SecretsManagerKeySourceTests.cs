using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws;
using RoutedEmail.Client.Tests.Infrastructure;

namespace RoutedEmail.Client.Tests;

/// <summary>The Secrets Manager key source against moto_server with signature checking on.</summary>
[Collection(AwsEmulatorCollection.Name)]
public sealed class SecretsManagerKeySourceTests(AwsEmulator aws)
{
    [Fact]
    public async Task GetApiKey_TwoVersions_ReturnsCurrent()
    {
        var name = AwsEmulator.NewSecretName("current");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "old-key", CancellationToken.None);
        await secrets.PutSecretValueCreatingAsync(name, "new-key", CancellationToken.None);
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromHours(1));

        var key = await source.GetApiKeyAsync(CancellationToken.None);

        Assert.Equal("new-key", key);
    }

    [Fact]
    public async Task GetApiKey_WithinHour_ReturnsCached()
    {
        var name = AwsEmulator.NewSecretName("cache");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "first-key", CancellationToken.None);
        var time = new FakeTimeProvider();
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromHours(1), time);
        Assert.Equal("first-key", await source.GetApiKeyAsync(CancellationToken.None));
        await secrets.PutSecretValueAsync(name, "second-key", CancellationToken.None);

        time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        var beforeExpiry = await source.GetApiKeyAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var atExpiry = await source.GetApiKeyAsync(CancellationToken.None);

        Assert.Equal("first-key", beforeExpiry);
        Assert.Equal("second-key", atExpiry);
    }

    [Fact]
    public async Task GetApiKey_ShortCache_Rereads()
    {
        var name = AwsEmulator.NewSecretName("short-cache");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "first-key", CancellationToken.None);
        var time = new FakeTimeProvider();
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromMinutes(5), time);
        await source.GetApiKeyAsync(CancellationToken.None);
        await secrets.PutSecretValueAsync(name, "second-key", CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("second-key", await source.GetApiKeyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(3601)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_CacheOutsideOneHour_Throws(int seconds)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => new SecretsManagerApiKeySource(aws.SecretsManager(), "name", TimeSpan.FromSeconds(seconds)));

        Assert.Contains("01:00:00", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshApiKey_SecretChanged_ReturnsNewKey()
    {
        var name = AwsEmulator.NewSecretName("refresh");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "old-key", CancellationToken.None);
        var time = new FakeTimeProvider();
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromHours(1), time);
        await source.GetApiKeyAsync(CancellationToken.None);
        await secrets.PutSecretValueAsync(name, "new-key", CancellationToken.None);

        var refreshed = await source.RefreshApiKeyAsync("old-key", CancellationToken.None);
        var cached = await source.GetApiKeyAsync(CancellationToken.None);

        Assert.Equal("new-key", refreshed);
        Assert.Equal("new-key", cached);
    }

    [Fact]
    public async Task RefreshApiKey_SecretUnchanged_ReturnsNull()
    {
        var name = AwsEmulator.NewSecretName("unchanged");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "only-key", CancellationToken.None);
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromHours(1));
        await source.GetApiKeyAsync(CancellationToken.None);

        Assert.Null(await source.RefreshApiKeyAsync("only-key", CancellationToken.None));
    }

    [Fact]
    public async Task GetApiKey_TrailingNewline_Throws()
    {
        var name = AwsEmulator.NewSecretName("newline");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "secret-value\n", CancellationToken.None);
        using var source = new SecretsManagerApiKeySource(secrets, name, TimeSpan.FromHours(1));

        var exception = await Assert.ThrowsAsync<InvalidApiKeySecretException>(
            () => source.GetApiKeyAsync(CancellationToken.None).AsTask());

        Assert.Equal(name, exception.SecretName);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetApiKey_MissingSecret_Throws()
    {
        using var source = new SecretsManagerApiKeySource(
            aws.SecretsManager(), AwsEmulator.NewSecretName("missing"), TimeSpan.FromHours(1));

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => source.GetApiKeyAsync(CancellationToken.None).AsTask());

        Assert.Equal("ResourceNotFoundException", exception.ErrorType);
    }

    [Fact]
    public async Task GetApiKey_Read_LoggedWithoutValue()
    {
        var name = AwsEmulator.NewSecretName("logged");
        var secrets = aws.SecretsManager();
        await secrets.PutSecretValueCreatingAsync(name, "logged-key-value", CancellationToken.None);
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var source = new SecretsManagerApiKeySource(
            secrets, name, TimeSpan.FromHours(1), logger: factory.CreateLogger<SecretsManagerApiKeySource>());

        await source.GetApiKeyAsync(CancellationToken.None);

        Assert.Contains(name, Assert.Single(logs.MessagesOf(9301)), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, entry => entry.Message.Contains("logged-key-value", StringComparison.Ordinal));
    }
}
