using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Users;

/// <summary>A tenant keeps at least one enabled Administrator through every user change.</summary>
public sealed class LastAdministratorTests
{
    private static readonly string[] SupervisorOnly = ["Supervisor"];

    [Fact]
    public async Task Delete_LastAdministrator_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ada", "Administrator");

        using var response = await server.Admin.DeleteAsync($"{scenario.TenantPath}/users/ada");
        var detail = await ReadDetailAsync(response);
        using var lookup = await server.Admin.GetAsync($"{scenario.TenantPath}/users/ada");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("only enabled Administrator", detail, StringComparison.Ordinal);
        Assert.Contains("cannot delete it", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
    }

    [Fact]
    public async Task Disable_LastAdministratorBySelf_Conflict()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ada", "Administrator");
        using var ada = await scenario.SignInUserAsync("ada");

        using var response = await ada.PostAsync($"{scenario.TenantPath}/users/ada/disable", null);
        var detail = await ReadDetailAsync(response);
        using var stillSignedIn = await ada.GetAsync($"{scenario.TenantPath}/users");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cannot disable it", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    [Fact]
    public async Task Demote_LastAdministrator_ConflictRolesKept()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ada", "Administrator");

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/users/ada", new { roles = SupervisorOnly });
        var detail = await ReadDetailAsync(response);
        var user = await server.Admin.GetFromJsonAsync<JsonObject>($"{scenario.TenantPath}/users/ada");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cannot remove its Administrator role", detail, StringComparison.Ordinal);
        Assert.Equal("Administrator", Assert.Single(user!["roles"]!.AsArray())!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_AnotherAdministratorEnabled_Allowed()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ada", "Administrator");
        await scenario.PutUserAsync("grace", "Administrator");

        using var deleted = await server.Admin.DeleteAsync($"{scenario.TenantPath}/users/ada");
        using var lastOne = await server.Admin.DeleteAsync($"{scenario.TenantPath}/users/grace");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, lastOne.StatusCode);
    }

    [Fact]
    public async Task OtherAdministratorDisabled_StillLast()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("ada", "Administrator");
        await scenario.PutUserAsync("grace", "Administrator");
        using var disableGrace = await server.Admin.PostAsync($"{scenario.TenantPath}/users/grace/disable", null);

        using var disableAda = await server.Admin.PostAsync($"{scenario.TenantPath}/users/ada/disable", null);
        using var deleteGrace = await server.Admin.DeleteAsync($"{scenario.TenantPath}/users/grace");

        Assert.Equal(HttpStatusCode.NoContent, disableGrace.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, disableAda.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteGrace.StatusCode);
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        return problem?["detail"]?.GetValue<string>() ?? "";
    }
}
