using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Aws.Tests;

[Collection(MotoCollection.Name)]
public sealed class AssumeRoleTests(MotoFixture moto) : IAsyncLifetime
{
    private const string ExternalId = "routed-email-external-id";

    private string _roleArn = string.Empty;

    public async Task InitializeAsync()
    {
        var roleName = $"publisher-{Guid.NewGuid():N}";
        var trustPolicy = JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new[]
            {
                new
                {
                    Effect = "Allow",
                    Principal = new { AWS = MotoFixture.UserArn },
                    Action = "sts:AssumeRole",
                    Condition = new
                    {
                        StringEquals = new Dictionary<string, string> { ["sts:ExternalId"] = ExternalId },
                    },
                },
            },
        });
        var iam = moto.Iam();
        _roleArn = await iam.CreateRoleAsync(roleName, trustPolicy);
        await iam.PutRolePolicyAsync(
            roleName,
            "secrets",
            """
            {"Version":"2012-10-17",
             "Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AssumeRole_ExplicitEndpoint_PutSucceeds()
    {
        using var provider = Provider(new StaticCredentialsProvider(moto.UserCredentials), TimeProvider.System);
        var client = moto.SecretsManager(provider);
        var name = MotoFixture.NewSecretName("assumed");

        var put = await client.PutSecretValueCreatingAsync(name, "published-by-role", CancellationToken.None);
        var credentials = await provider.GetCredentialsAsync(CancellationToken.None);
        var current = await moto.SecretsManager().GetSecretValueAsync(name, CancellationToken.None);

        Assert.Equal(new Uri(moto.Endpoint.ToString()), provider.Endpoint.Url);
        Assert.StartsWith("ASIA", credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.NotNull(credentials.SessionToken);
        Assert.NotNull(credentials.Expiration);
        Assert.Equal("published-by-role", current.SecretString);
        Assert.Equal(put.VersionId, current.VersionId);
    }

    [Fact]
    public async Task AssumeRole_BeforeRefreshWindow_ReturnsCachedCredentials()
    {
        var time = new FakeTimeProvider();
        using var provider = Provider(new StaticCredentialsProvider(moto.UserCredentials), time);
        var first = await provider.GetCredentialsAsync(CancellationToken.None);
        var refreshAt = first.Expiration!.Value - TimeSpan.FromMinutes(5);

        time.SetUtcNow(refreshAt - TimeSpan.FromSeconds(1));
        var cached = await provider.GetCredentialsAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var renewed = await provider.GetCredentialsAsync(CancellationToken.None);
        var put = await moto.SecretsManager(new StaticCredentialsProvider(renewed))
            .PutSecretValueCreatingAsync(MotoFixture.NewSecretName("renewed"), "value", CancellationToken.None);

        Assert.Same(first, cached);
        Assert.NotEqual(first.AccessKeyId, renewed.AccessKeyId);
        Assert.True(put.Created);
    }

    [Fact]
    public async Task AssumeRole_ConcurrentCallers_ShareOneCall()
    {
        var time = new FakeTimeProvider();
        using var provider = Provider(new StaticCredentialsProvider(moto.UserCredentials), time);

        var all = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => provider.GetCredentialsAsync(CancellationToken.None).AsTask()));

        Assert.Single(all.Select(credentials => credentials.AccessKeyId).Distinct());
    }

    [Fact]
    public async Task AssumeRole_WrongExternalId_RaisesAccessDenied()
    {
        var options = Options();
        options.ExternalId = "not-the-external-id";
        using var provider = new AssumeRoleCredentialsProvider(
            options, new StaticCredentialsProvider(moto.UserCredentials), new AwsEndpointResolver(_ => null));

        var exception = await Assert.ThrowsAsync<AwsServiceException>(
            () => provider.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Equal("AccessDenied", exception.ErrorType);
        Assert.Equal(HttpStatusCode.Forbidden, exception.StatusCode);
        Assert.Equal("AssumeRole", exception.Operation);
        Assert.Contains(_roleArn, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_RenewalFails_KeepsCachedUntilExpiry()
    {
        var time = new FakeTimeProvider();
        var baseCredentials = new SwitchableCredentialsProvider(moto.UserCredentials);
        using var provider = Provider(baseCredentials, time);
        var first = await provider.GetCredentialsAsync(CancellationToken.None);

        // From now on STS rejects the base credentials' signature.
        baseCredentials.Current = new AwsCredentials(moto.UserCredentials.AccessKeyId, "wrong-secret-key");
        time.SetUtcNow(first.Expiration!.Value - TimeSpan.FromMinutes(1));
        var duringWindow = await provider.GetCredentialsAsync(CancellationToken.None);
        time.SetUtcNow(first.Expiration.Value);
        var afterExpiry = await Assert.ThrowsAsync<AwsServiceException>(
            () => provider.GetCredentialsAsync(CancellationToken.None).AsTask());

        Assert.Same(first, duringWindow);
        Assert.Equal("SignatureDoesNotMatch", afterExpiry.ErrorType);
    }

    [Fact]
    public void AssumeRole_StsVariable_ResolvesEndpoint()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:7001",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:7002",
            ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "http://127.0.0.1:7003",
        };
        var options = Options();
        options.ServiceUrl = null;

        using var provider = new AssumeRoleCredentialsProvider(
            options, new StaticCredentialsProvider(moto.UserCredentials),
            new AwsEndpointResolver(name => environment.GetValueOrDefault(name)));

        Assert.Equal(new Uri("http://127.0.0.1:7001"), provider.Endpoint.Url);
        Assert.Equal("AWS_ENDPOINT_URL_STS", provider.Endpoint.Source);
    }

    [Theory]
    [InlineData("role/no-arn", "role ARN")]
    [InlineData("arn:aws:iam::123456789012:user/not-a-role", "role ARN")]
    public void AssumeRole_InvalidRoleArn_Throws(string roleArn, string expected)
    {
        var options = Options();
        options.RoleArn = roleArn;

        var exception = Assert.Throws<ArgumentException>(() => new AssumeRoleCredentialsProvider(
            options, new StaticCredentialsProvider(moto.UserCredentials), new AwsEndpointResolver(_ => null)));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains(roleArn, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssumeRole_RefreshBeforeTooLong_Throws()
    {
        var options = Options();
        options.RefreshBefore = options.Duration;

        var exception = Assert.Throws<ArgumentException>(() => new AssumeRoleCredentialsProvider(
            options, new StaticCredentialsProvider(moto.UserCredentials), new AwsEndpointResolver(_ => null)));

        Assert.Contains("RefreshBefore", exception.Message, StringComparison.Ordinal);
    }

    private AssumeRoleCredentialsProvider Provider(IAwsCredentialsProvider baseCredentials, TimeProvider time) =>
        new(Options(), baseCredentials, new AwsEndpointResolver(_ => null), time);

    private AssumeRoleOptions Options() => new()
    {
        RoleArn = _roleArn,
        ExternalId = ExternalId,
        RoleSessionName = "routed-email-tests",
        Region = MotoServer.Region,
        ServiceUrl = moto.Endpoint,
    };

    private sealed class SwitchableCredentialsProvider(AwsCredentials initial) : IAwsCredentialsProvider
    {
        public AwsCredentials Current { get; set; } = initial;

        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(Current);
    }
}
