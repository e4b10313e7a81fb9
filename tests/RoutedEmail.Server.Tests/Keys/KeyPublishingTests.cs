using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Tests.Infrastructure;
using RoutedEmail.Server.Keys;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Keys;

/// <summary>
/// API keys published to AWS Secrets Manager, against moto_server with signature checking on, read back with the
/// AWS command-line tool.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class KeyPublishingTests(MotoFixture moto)
{
    [Fact]
    public async Task CreateTenant_Publishing_WritesKeyAsAwsCurrent()
    {
        await using var server = await StartAsync();
        var secretName = MotoFixture.NewSecretName("create");

        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });
        var published = await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSCURRENT");
        var settings = await tenant.GetAsync();

        Assert.Equal(tenant.FirstKey, published);
        Assert.True(tenant.Created["secretsManager"]!["enabled"]!.GetValue<bool>());
        Assert.NotNull(tenant.Created["secretsManager"]!["lastPublishedAt"]);
        Assert.Null(settings["secretsManager"]!["lastError"]);
        Assert.Equal(30, settings["keyRotationDays"]!.GetValue<int>());
        Assert.NotNull(settings["nextRotationAt"]);
        Assert.False(server.Services.GetRequiredService<SecretsManagerClients>().UsesDefaultChain);
        using var ingest = await tenant.IngestAsync(published, "created-1");
        await IngestAssert.SucceededAsync(ingest);
    }

    [Fact]
    public async Task CreateTenant_NoSecretName_UsesSymbeeDefault()
    {
        await using var server = await StartAsync();

        // The default name is shared by every tenant of this emulator, so only this test uses it.
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true });
        var published = await SecretReader.ReadAsync(
            moto.Endpoint, moto.UserCredentials, "SYMBEE_CONNECT_API_KEY", "AWSCURRENT");

        Assert.Equal("SYMBEE_CONNECT_API_KEY", tenant.Created["secretsManager"]!["secretName"]!.GetValue<string>());
        Assert.Equal(tenant.FirstKey, published);
    }

    [Fact]
    public async Task Rotate_Publishing_MovesOldKeyToAwsPrevious()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await StartAsync(time);
        var secretName = MotoFixture.NewSecretName("rotate");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });

        var rotated = await tenant.RotateAsync();
        var newKey = rotated["apiKey"]!.GetValue<string>();
        var current = await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSCURRENT");
        var previous = await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSPREVIOUS");

        Assert.Equal(newKey, current);
        Assert.Equal(tenant.FirstKey, previous);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(2),
            rotated["previousKeyExpiresAt"]!.GetValue<DateTimeOffset>());
        Assert.NotNull(rotated["secretsManager"]!["lastPublishedAt"]);
    }

    [Fact]
    public async Task Rotate_GracePeriodEnds_OldKeyRejected()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await StartAsync(time);
        var secretName = MotoFixture.NewSecretName("grace");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });
        var newKey = (await tenant.RotateAsync())["apiKey"]!.GetValue<string>();

        time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        using (var old = await tenant.IngestAsync(tenant.FirstKey, "grace-old"))
        using (var oldLookUp = await tenant.LookUpAsync(tenant.FirstKey, "grace-old"))
        using (var fresh = await tenant.IngestAsync(newKey, "grace-new"))
        {
            await IngestAssert.SucceededAsync(old);
            Assert.Equal(HttpStatusCode.OK, oldLookUp.StatusCode);
            await IngestAssert.SucceededAsync(fresh);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await tenant.IngestAsync(tenant.FirstKey, "expired-old");
        using var expiredLookUp = await tenant.LookUpAsync(tenant.FirstKey, "grace-old");
        using var stillFresh = await tenant.IngestAsync(newKey, "still-new");
        await IngestAssert.RejectedAsync(expired, HttpStatusCode.Unauthorized);
        await IngestAssert.ProblemAsync(expiredLookUp, HttpStatusCode.Unauthorized);
        await IngestAssert.SucceededAsync(stillFresh);
    }

    [Fact]
    public async Task ScheduledRotation_DueWhileStopped_RotatesAtStart()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var secretName = MotoFixture.NewSecretName("schedule");
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-keys-").FullName;
        try
        {
            KeyTenant tenant;
            await using (var server = await StartAsync(time, dataDirectory))
            {
                tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName }, keyRotationDays: 1);
            }

            // The rotation comes due while no server runs, so only the restarted one can run it.
            time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            await using var restarted = await StartAsync(time, dataDirectory);
            tenant = tenant.On(restarted);
            await KeyTenant.WaitUntilAsync(
                async () => await ReadCurrentAsync(secretName) != tenant.FirstKey, "the scheduled rotation published");
            await KeyTenant.WaitUntilAsync(
                async () => (await tenant.GetAsync())["secretsManager"]!["keyPending"]!.GetValue<bool>() == false,
                "the new key became current");
            var current = await ReadCurrentAsync(secretName);
            var settings = await tenant.GetAsync();

            Assert.Equal(tenant.FirstKey,
                await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSPREVIOUS"));
            Assert.Equal(time.GetUtcNow() + TimeSpan.FromDays(1),
                settings["nextRotationAt"]!.GetValue<DateTimeOffset>());
            using var withNew = await tenant.IngestAsync(current, "scheduled-new");
            using var withOld = await tenant.IngestAsync(tenant.FirstKey, "scheduled-old");
            await IngestAssert.SucceededAsync(withNew);
            await IngestAssert.SucceededAsync(withOld);
        }
        finally
        {
            await TestStore.DropAsync(dataDirectory);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ScheduledRotation_NotDue_KeepsKey()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await StartAsync(time);
        var secretName = MotoFixture.NewSecretName("not-due");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName }, keyRotationDays: 2);

        time.Advance(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        var before = await tenant.GetAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        await KeyTenant.WaitUntilAsync(
            async () => await ReadCurrentAsync(secretName) != tenant.FirstKey, "the scheduled rotation published");

        Assert.Equal(tenant.Created["secretsManager"]!["lastPublishedAt"]!.GetValue<DateTimeOffset>(),
            before["secretsManager"]!["lastPublishedAt"]!.GetValue<DateTimeOffset>());
    }

    [PostgresFact]
    public async Task ScheduledRotation_TwoNodes_OneNodeRotates()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var cluster = await TestCluster.StartAsync(
            2, time, KeyTenant.AwsSettings(moto.Endpoint, moto.UserCredentials),
            services => services.AddLogging(logging => logging
                .SetMinimumLevel(LogLevel.Information).AddProvider(new QueueLoggerProvider(log))));
        var secretName = MotoFixture.NewSecretName("two-nodes");
        var tenant = await KeyTenant.CreateAsync(cluster[0], new { enabled = true, secretName }, keyRotationDays: 1);

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await KeyTenant.WaitUntilAsync(
            async () => (await tenant.GetAsync())["secretsManager"]!["lastPublishedAt"]!.GetValue<DateTimeOffset>()
                > tenant.Created["secretsManager"]!["lastPublishedAt"]!.GetValue<DateTimeOffset>(),
            "a node rotated the key");

        // A second rotation would have made the first rotation's key AWSPREVIOUS and logged a second line.
        Assert.Equal(tenant.FirstKey,
            await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSPREVIOUS"));
        Assert.Single(log, line => line.Contains("rotated and published", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotation_DuringIngestTraffic_NoRequestFails()
    {
        await using var server = await StartAsync();
        var secretName = MotoFixture.NewSecretName("traffic");
        var tenant = await KeyTenant.CreateAsync(server, new { enabled = true, secretName });
        var secrets = moto.SecretsManager();
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sent = 0;

        // Some clients keep the key they started with, which becomes the previous key. The others read AWSCURRENT
        // before every request, as a client without a cache would, so they use each new key at once.
        async Task SendLoopAsync(int worker, bool readsSecret)
        {
            using var client = server.CreateClient();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = readsSecret
                    ? (await secrets.GetSecretValueAsync(secretName, CancellationToken.None)).SecretString!
                    : tenant.FirstKey;
                using var response = await tenant.IngestAsync(key, $"traffic-{worker}-{i}", client);
                Interlocked.Increment(ref sent);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        var workers = Enumerable.Range(0, 6).Select(worker => SendLoopAsync(worker, worker % 2 == 0)).ToArray();
        var newKey = (await tenant.RotateAsync())["apiKey"]!.GetValue<string>();
        await KeyTenant.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref sent) > 60), "traffic ran");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.Equal(newKey, await ReadCurrentAsync(secretName));
    }

    [Fact]
    public async Task UpdateTenant_EnablePublishing_PublishesNewKey()
    {
        await using var server = await StartAsync();
        var secretName = MotoFixture.NewSecretName("enable");
        var tenant = await KeyTenant.CreateAsync(server, secretsManager: null);

        using var enable = await server.Admin.PutAsJsonAsync(
            tenant.TenantPath, new { secretsManager = new { enabled = true, secretName }, keyRotationDays = 7 });
        var enabled = await ReadOkAsync(enable);
        var published = await ReadCurrentAsync(secretName);
        using var disable = await server.Admin.PutAsJsonAsync(
            tenant.TenantPath, new { secretsManager = new { enabled = false } });
        var disabled = await ReadOkAsync(disable);

        Assert.NotEqual(tenant.FirstKey, published);
        Assert.Equal(7, enabled["keyRotationDays"]!.GetValue<int>());
        Assert.NotNull(enabled["secretsManager"]!["lastPublishedAt"]);
        Assert.NotNull(enabled["previousKeyExpiresAt"]);
        Assert.False(disabled["secretsManager"]!["enabled"]!.GetValue<bool>());
        Assert.Null(disabled["keyRotationDays"]);
        Assert.Null(disabled["nextRotationAt"]);
        using var withPublished = await tenant.IngestAsync(published, "enabled-new");
        using var withFirst = await tenant.IngestAsync(tenant.FirstKey, "enabled-old");
        await IngestAssert.SucceededAsync(withPublished);
        await IngestAssert.SucceededAsync(withFirst);
    }

    [Fact]
    public async Task AssumeRole_TenantRole_WritesWithRoleCredentials()
    {
        // The service's own user may only assume roles, so only the role's credentials can write the secret.
        var iam = moto.Iam();
        var userName = $"service-{Guid.NewGuid():N}";
        await iam.CreateUserAsync(userName);
        var serviceKey = await iam.CreateAccessKeyAsync(userName);
        await iam.PutUserPolicyAsync(userName, "assume-only",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");
        var roleName = $"tenant-writer-{Guid.NewGuid():N}";
        var roleArn = await iam.CreateRoleAsync(roleName, TrustPolicy($"arn:aws:iam::123456789012:user/{userName}"));
        await iam.PutRolePolicyAsync(roleName, "secrets",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}""");
        await using var server = await TestServer.StartAsync(
            settings: KeyTenant.AwsSettings(moto.Endpoint, serviceKey));
        var withRole = MotoFixture.NewSecretName("role");
        var withoutRole = MotoFixture.NewSecretName("no-role");

        var tenant = await KeyTenant.CreateAsync(server,
            new { enabled = true, secretName = withRole, roleArn, externalId = ExternalId });
        var denied = await KeyTenant.CreateAsync(server, new { enabled = true, secretName = withoutRole },
            companyCode: "no-role");

        Assert.Equal(tenant.FirstKey,
            await SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, withRole, "AWSCURRENT"));
        Assert.Equal(roleArn, tenant.Created["secretsManager"]!["roleArn"]!.GetValue<string>());
        Assert.Null(tenant.Created["secretsManager"]!["lastError"]);
        var error = denied.Created["secretsManager"]!["lastError"]!.GetValue<string>();
        Assert.Contains("AccessDenied", error, StringComparison.Ordinal);
        Assert.DoesNotContain(serviceKey.SecretAccessKey, error, StringComparison.Ordinal);
    }

    private const string ExternalId = "tenant-external-id";

    private sealed class QueueLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines)
        : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }

        private sealed class QueueLogger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) => lines.Enqueue(formatter(state, exception));
        }
    }

    private static string TrustPolicy(string principalArn) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[]
        {
            new
            {
                Effect = "Allow",
                Principal = new { AWS = principalArn },
                Action = "sts:AssumeRole",
                Condition = new { StringEquals = new Dictionary<string, string> { ["sts:ExternalId"] = ExternalId } },
            },
        },
    });

    private static async Task<JsonObject> ReadOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Expected success, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<string> ReadCurrentAsync(string secretName) =>
        SecretReader.ReadAsync(moto.Endpoint, moto.UserCredentials, secretName, "AWSCURRENT");

    private Task<TestServer> StartAsync(FakeTimeProvider? time = null, string? dataDirectory = null) =>
        TestServer.StartAsync(dataDirectory, time, KeyTenant.AwsSettings(moto.Endpoint, moto.UserCredentials));
}
