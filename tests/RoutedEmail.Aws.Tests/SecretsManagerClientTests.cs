using System.Net;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.SecretsManager;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class SecretsManagerClientTests(MotoFixture moto)
{
    [Fact]
    public async Task PutSecretValue_ThenGet_ReturnsCurrent()
    {
        var client = moto.SecretsManager();
        var name = MotoFixture.NewSecretName("put-get");
        await client.CreateSecretAsync(name, "first-key", "API key of tenant acme/prod", CancellationToken.None);

        var put = await client.PutSecretValueAsync(name, "second-key", CancellationToken.None);
        var current = await client.GetSecretValueAsync(name, CancellationToken.None);

        Assert.Equal(name, put.Name);
        Assert.Equal([VersionStages.Current], put.VersionStages);
        Assert.False(put.Created);
        Assert.Equal("second-key", current.SecretString);
        Assert.Equal(put.VersionId, current.VersionId);
        Assert.Contains(VersionStages.Current, current.VersionStages);
        Assert.Equal(put.Arn, current.Arn);
        Assert.NotNull(current.CreatedDate);
    }

    [Fact]
    public async Task PutCreating_SecondPut_KeepsFirstAsPrevious()
    {
        var client = moto.SecretsManager();
        var name = MotoFixture.NewSecretName("rotate");

        var first = await client.PutSecretValueCreatingAsync(name, "key-one", CancellationToken.None);
        var second = await client.PutSecretValueCreatingAsync(name, "key-two", CancellationToken.None);
        var current = await client.GetSecretValueAsync(name, VersionStages.Current, CancellationToken.None);
        var previous = await client.GetSecretValueAsync(name, VersionStages.Previous, CancellationToken.None);
        var description = await client.DescribeSecretAsync(name, CancellationToken.None);

        Assert.NotEqual(first.VersionId, second.VersionId);
        Assert.Equal("key-two", current.SecretString);
        Assert.Equal(second.VersionId, current.VersionId);
        Assert.Equal("key-one", previous.SecretString);
        Assert.Equal(first.VersionId, previous.VersionId);
        Assert.Equal([VersionStages.Previous], previous.VersionStages);
        Assert.Equal([VersionStages.Current], description.VersionIdsToStages[second.VersionId]);
        Assert.Equal([VersionStages.Previous], description.VersionIdsToStages[first.VersionId]);
    }

    [Fact]
    public async Task PutCreating_MissingSecret_CreatesIt()
    {
        var client = moto.SecretsManager();
        var name = MotoFixture.NewSecretName("create");

        var created = await client.PutSecretValueCreatingAsync(name, "new-key", CancellationToken.None);
        var current = await client.GetSecretValueAsync(name, CancellationToken.None);

        Assert.True(created.Created);
        Assert.Equal([VersionStages.Current], created.VersionStages);
        Assert.Equal(name, current.Name);
        Assert.Equal("new-key", current.SecretString);
        Assert.Equal(created.VersionId, current.VersionId);
    }

    [Fact]
    public async Task PutSecretValue_MissingSecret_RaisesNotFound()
    {
        var client = moto.SecretsManager();
        var name = MotoFixture.NewSecretName("missing");

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.PutSecretValueAsync(name, "do-not-show-this", CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", exception.ErrorType);
        Assert.Equal("PutSecretValue", exception.Operation);
        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.Contains(moto.Endpoint.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-show-this", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretValue_WrongSecretKey_RaisesSignatureError()
    {
        var name = MotoFixture.NewSecretName("wrong-key");
        await moto.SecretsManager().CreateSecretAsync(name, "value", null, CancellationToken.None);
        var wrongKey = new AwsCredentials(moto.UserCredentials.AccessKeyId, "not-the-secret-access-key");
        var client = moto.SecretsManager(new StaticCredentialsProvider(wrongKey));

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.GetSecretValueAsync(name, CancellationToken.None));

        Assert.Equal("SignatureDoesNotMatch", exception.ErrorType);
        Assert.Equal(HttpStatusCode.Forbidden, exception.StatusCode);
        Assert.Contains("Check the secret access key", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-access-key", exception.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretValue_UnknownKeyId_RaisesTokenError()
    {
        var client = moto.SecretsManager(
            new StaticCredentialsProvider(new AwsCredentials("AKIAUNKNOWNKEY000000", "whatever")));

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.GetSecretValueAsync(MotoFixture.NewSecretName("unknown-key"), CancellationToken.None));

        Assert.Equal("InvalidClientTokenId", exception.ErrorType);
        Assert.Equal(HttpStatusCode.Forbidden, exception.StatusCode);
    }

    [Fact]
    public async Task CreateSecret_ExistingSecret_RaisesResourceExists()
    {
        var client = moto.SecretsManager();
        var name = MotoFixture.NewSecretName("exists");
        await client.CreateSecretAsync(name, "one", null, CancellationToken.None);

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => client.CreateSecretAsync(name, "two", null, CancellationToken.None));

        Assert.Equal("ResourceExistsException", exception.ErrorType);
    }

    [Fact]
    public async Task Logs_PutAndGet_ContainNoSecret()
    {
        var logger = new CapturingLogger<SecretsManagerClient>();
        var client = new SecretsManagerClient(
            moto.HttpClient,
            new StaticCredentialsProvider(moto.UserCredentials),
            new SecretsManagerClientOptions { Region = MotoServer.Region, ServiceUrl = moto.Endpoint },
            logger: logger);
        var name = MotoFixture.NewSecretName("logs");

        await client.PutSecretValueCreatingAsync(name, "log-secret-one", CancellationToken.None);
        await client.PutSecretValueCreatingAsync(name, "log-secret-two", CancellationToken.None);
        await client.GetSecretValueAsync(name, CancellationToken.None);

        Assert.NotEmpty(logger.Lines);
        Assert.All(logger.Lines, line => Assert.Contains(name, line, StringComparison.Ordinal));
        Assert.All(logger.Lines, line => Assert.DoesNotContain("log-secret", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecretValue_ToString_LeavesOutSecretString()
    {
        var name = MotoFixture.NewSecretName("to-string");
        await moto.SecretsManager().PutSecretValueCreatingAsync(name, "hidden-value", CancellationToken.None);

        var value = await moto.SecretsManager().GetSecretValueAsync(name, CancellationToken.None);

        Assert.DoesNotContain("hidden-value", value.ToString(), StringComparison.Ordinal);
        Assert.Contains(value.VersionId, value.ToString(), StringComparison.Ordinal);
    }
}
