namespace RoutedEmail.Storage.Tests.Sqlite;

public sealed class SqliteTenantStoreTests
{
    private static readonly byte[] FirstKeyHash = [1, 1, 1];
    private static readonly byte[] SecondKeyHash = [2, 2, 2];
    private static readonly byte[] ThirdKeyHash = [3, 3, 3];

    [Fact]
    public async Task CreateTenantAsync_New_ReturnsStoredTenant()
    {
        await using var database = TestDatabase.Create();

        var tenant = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "America/Chicago", [], FirstKeyHash, CancellationToken.None);

        Assert.NotNull(tenant);
        Assert.True(tenant.Id > 0, "The tenant id must be a positive row id.");
        Assert.Equal("abc-gadgets", tenant.CompanyCode);
        Assert.Equal("prod", tenant.Environment);
        Assert.Equal("us-west-2", tenant.SecretsRegion);
        Assert.Equal("America/Chicago", tenant.TimeZone);
        Assert.Equal(
            TestDatabase.Start.ToUnixTimeMilliseconds(),
            database.QueryLong("SELECT created_at FROM tenants WHERE id = $id", ("$id", tenant.Id)));
    }

    [Fact]
    public async Task CreateTenantAsync_DuplicateInOtherCase_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);

        var duplicate = await database.Tenants.CreateTenantAsync(
            "ABC-Gadgets", "PROD", "eu-west-1", "UTC", [], SecondKeyHash, CancellationToken.None);

        Assert.Null(duplicate);
        Assert.Equal(1, database.QueryLong("SELECT COUNT(*) FROM tenants"));
        Assert.Equal("us-west-2", database.QueryString("SELECT secrets_region FROM tenants"));
    }

    [Fact]
    public async Task CreateTenantAsync_OtherEnvironment_CreatesTenant()
    {
        await using var database = TestDatabase.Create();
        var production = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);

        var test = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "test", "us-west-2", "UTC", [], SecondKeyHash, CancellationToken.None);

        Assert.NotNull(production);
        Assert.NotNull(test);
        Assert.NotEqual(production.Id, test.Id);
    }

    [Fact]
    public async Task FindTenantAsync_OtherCase_FindsTenant()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);

        var found = await database.Tenants.FindTenantAsync("ABC-GADGETS", "Prod", CancellationToken.None);

        Assert.Equal(created, found);
    }

    [Fact]
    public async Task FindTenantAsync_Unknown_ReturnsNull()
    {
        await using var database = TestDatabase.Create();
        await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);

        var found = await database.Tenants.FindTenantAsync("abc-gadgets", "test", CancellationToken.None);

        Assert.Null(found);
    }

    [Fact]
    public async Task ListTenantsAsync_SeveralTenants_OrdersByName()
    {
        await using var database = TestDatabase.Create();
        await database.Tenants.CreateTenantAsync("zeta", "prod", "r", "UTC", [], FirstKeyHash, CancellationToken.None);
        await database.Tenants.CreateTenantAsync("alpha", "test", "r", "UTC", [], FirstKeyHash, CancellationToken.None);
        await database.Tenants.CreateTenantAsync("alpha", "prod", "r", "UTC", [], FirstKeyHash, CancellationToken.None);

        var tenants = await database.Tenants.ListTenantsAsync(CancellationToken.None);

        Assert.Equal(
            ["alpha/prod", "alpha/test", "zeta/prod"],
            tenants.Select(tenant => $"{tenant.CompanyCode}/{tenant.Environment}"));
    }

    [Fact]
    public async Task UpdateTenantAsync_Existing_ChangesSettings()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);
        Assert.NotNull(created);

        var updated = await database.Tenants.UpdateTenantAsync(
            created.Id, "eu-central-1", "Europe/Berlin", [], CancellationToken.None);

        Assert.Equal(created with { SecretsRegion = "eu-central-1", TimeZone = "Europe/Berlin" }, updated);
        var found = await database.Tenants.FindTenantAsync("abc-gadgets", "prod", CancellationToken.None);
        Assert.Equal(updated, found);
    }

    [Fact]
    public async Task CreateTenantAsync_AllowedOrigins_StoredInOrder()
    {
        await using var database = TestDatabase.Create();

        var created = await database.Tenants.CreateTenantAsync("abc-gadgets", "prod", "us-west-2", "UTC",
            ["https://crm.example.com", "http://localhost:8080"], FirstKeyHash, CancellationToken.None);

        Assert.NotNull(created);
        Assert.Equal(["https://crm.example.com", "http://localhost:8080"], created.AllowedOrigins);
        var found = await database.Tenants.FindTenantAsync("abc-gadgets", "prod", CancellationToken.None);
        Assert.Equal(created, found);
        var credentials = await database.Tenants.FindCredentialsAsync("abc-gadgets", "prod", CancellationToken.None);
        Assert.Equal(FirstKeyHash, credentials!.ApiKeyHash);
    }

    [Fact]
    public async Task UpdateTenantAsync_AllowedOrigins_ReplacesList()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync("abc-gadgets", "prod", "us-west-2", "UTC",
            ["https://old.example.com"], FirstKeyHash, CancellationToken.None);
        Assert.NotNull(created);

        var updated = await database.Tenants.UpdateTenantAsync(
            created.Id, "us-west-2", "UTC", ["https://new.example.com"], CancellationToken.None);
        var listed = await database.Tenants.ListTenantsAsync(CancellationToken.None);

        Assert.Equal(["https://new.example.com"], updated!.AllowedOrigins);
        Assert.Equal(["https://new.example.com"], Assert.Single(listed).AllowedOrigins);
    }

    [Fact]
    public async Task UpdateTenantAsync_Unknown_ReturnsNull()
    {
        await using var database = TestDatabase.Create();

        var updated = await database.Tenants.UpdateTenantAsync(42, "eu-central-1", "UTC", [], CancellationToken.None);

        Assert.Null(updated);
    }

    [Fact]
    public async Task FindCredentialsAsync_NewTenant_HasNoPreviousKey()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);

        var credentials = await database.Tenants.FindCredentialsAsync("ABC-GADGETS", "PROD", CancellationToken.None);

        Assert.NotNull(credentials);
        Assert.Equal(created, credentials.Tenant);
        Assert.Equal(FirstKeyHash, credentials.ApiKeyHash);
        Assert.Null(credentials.PreviousApiKeyHash);
        Assert.Null(credentials.PreviousApiKeyExpiresAt);
    }

    [Fact]
    public async Task FindCredentialsAsync_Unknown_ReturnsNull()
    {
        await using var database = TestDatabase.Create();

        var credentials = await database.Tenants.FindCredentialsAsync("abc-gadgets", "prod", CancellationToken.None);

        Assert.Null(credentials);
    }

    [Fact]
    public async Task ReplaceApiKeyAsync_Once_KeepsPreviousHash()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);
        Assert.NotNull(created);
        var expiresAt = TestDatabase.Start + TimeSpan.FromHours(2);

        await database.Tenants.ReplaceApiKeyAsync(created.Id, SecondKeyHash, expiresAt, CancellationToken.None);

        var credentials = await database.Tenants.FindCredentialsAsync("abc-gadgets", "prod", CancellationToken.None);
        Assert.NotNull(credentials);
        Assert.Equal(SecondKeyHash, credentials.ApiKeyHash);
        Assert.Equal(FirstKeyHash, credentials.PreviousApiKeyHash);
        Assert.Equal(expiresAt, credentials.PreviousApiKeyExpiresAt);
    }

    [Fact]
    public async Task ReplaceApiKeyAsync_Twice_KeepsLastReplacedHash()
    {
        await using var database = TestDatabase.Create();
        var created = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);
        Assert.NotNull(created);
        var firstExpiry = TestDatabase.Start + TimeSpan.FromHours(2);
        var secondExpiry = TestDatabase.Start + TimeSpan.FromHours(5);

        await database.Tenants.ReplaceApiKeyAsync(created.Id, SecondKeyHash, firstExpiry, CancellationToken.None);
        await database.Tenants.ReplaceApiKeyAsync(created.Id, ThirdKeyHash, secondExpiry, CancellationToken.None);

        var credentials = await database.Tenants.FindCredentialsAsync("abc-gadgets", "prod", CancellationToken.None);
        Assert.NotNull(credentials);
        Assert.Equal(ThirdKeyHash, credentials.ApiKeyHash);
        Assert.Equal(SecondKeyHash, credentials.PreviousApiKeyHash);
        Assert.Equal(secondExpiry, credentials.PreviousApiKeyExpiresAt);
    }

    [Fact]
    public async Task ReplaceApiKeyAsync_OneTenant_LeavesOthers()
    {
        await using var database = TestDatabase.Create();
        var rotated = await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "prod", "us-west-2", "UTC", [], FirstKeyHash, CancellationToken.None);
        await database.Tenants.CreateTenantAsync(
            "abc-gadgets", "test", "us-west-2", "UTC", [], ThirdKeyHash, CancellationToken.None);
        Assert.NotNull(rotated);

        await database.Tenants.ReplaceApiKeyAsync(
            rotated.Id, SecondKeyHash, TestDatabase.Start + TimeSpan.FromHours(2), CancellationToken.None);

        var other = await database.Tenants.FindCredentialsAsync("abc-gadgets", "test", CancellationToken.None);
        Assert.NotNull(other);
        Assert.Equal(ThirdKeyHash, other.ApiKeyHash);
        Assert.Null(other.PreviousApiKeyHash);
    }
}
