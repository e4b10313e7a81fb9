using System.Net;
using System.Net.Http.Headers;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>The operator's admin token: generated into the data directory unless Admin:Token is set.</summary>
public sealed class AdminTokenTests
{
    [Fact]
    public async Task TokenFile_NoAdminToken_CreatedOwnerOnly()
    {
        await using var server = await TestServer.StartAsync(adminToken: null);
        var path = Path.Combine(server.DataDirectory, "admin-token");

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var token = (await File.ReadAllTextAsync(path)).Trim();
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
    }

    [Fact]
    public async Task TokenFile_Content_WorksAsBearerToken()
    {
        await using var server = await TestServer.StartAsync(adminToken: null);
        var token = (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin-token"))).Trim();
        using var withFileToken = server.CreateClient();
        withFileToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var withTestToken = server.CreateClient();
        withTestToken.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", TestServer.AdminToken);

        using var accepted = await withFileToken.GetAsync("/api/v1/tenants");
        using var rejected = await withTestToken.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }

    [Fact]
    public async Task TokenFile_Restart_KeepsSameToken()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            string firstToken;
            await using (var first = await TestServer.StartAsync(dataDirectory, adminToken: null))
            {
                firstToken = await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-token"));
            }

            await using var second = await TestServer.StartAsync(dataDirectory, adminToken: null);
            using var response = await second.Admin.GetAsync("/api/v1/tenants");

            Assert.Equal(firstToken, await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-token")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ConfiguredToken_Set_NoTokenFile()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Admin.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "admin-token")));
    }

    [Fact]
    public async Task ConfiguredToken_Under32Characters_StartFails()
    {
        var token = new string('x', 31);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(adminToken: token));

        Assert.Contains("Admin:Token", exception.Message, StringComparison.Ordinal);
        Assert.Contains("32", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredToken_WithSpaces_StartFails()
    {
        var token = new string(' ', 40);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(adminToken: token));

        Assert.Contains("Admin:Token", exception.Message, StringComparison.Ordinal);
        Assert.Contains("no spaces", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenFile_Empty_IsRegenerated()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("routed-email-test-").FullName;
        try
        {
            var path = Path.Combine(dataDirectory, "admin-token");
            await File.WriteAllTextAsync(path, "\n");

            await using var server = await TestServer.StartAsync(dataDirectory, adminToken: null);
            using var response = await server.Admin.GetAsync("/api/v1/tenants");

            Assert.Matches("^[A-Za-z0-9_-]{43}$", (await File.ReadAllTextAsync(path)).Trim());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
