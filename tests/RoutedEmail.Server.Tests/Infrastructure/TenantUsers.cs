using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Creates a tenant's users through the admin API and signs them in with POST /api/v1/sign-in.</summary>
public static class TenantUsers
{
    /// <summary>The password every helper-made user gets: "password-" and the user id.</summary>
    public static string PasswordOf(string userId) => "password-" + userId;

    /// <summary>Creates or replaces a user with the operator's token and fails the test on an error.</summary>
    public static Task<JsonObject> PutUserAsync(this Scenario scenario, string userId, params string[] roles)
    {
        SuiteLog.RegisterSecret(PasswordOf(userId), "password");
        return scenario.PutAsync($"users/{userId}", new { password = PasswordOf(userId), roles });
    }

    /// <summary>Sends POST /api/v1/sign-in for a user of the scenario's tenant.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(
        this Scenario scenario, HttpClient client, string userId, string? password = null, string query = "")
    {
        return await client.PostAsJsonAsync("/api/v1/sign-in" + query, new
        {
            companyCode = scenario.CompanyCode,
            environment = scenario.Environment,
            userId,
            password = password ?? PasswordOf(userId),
        });
    }

    /// <summary>Signs a user in and returns a client that sends its bearer token.</summary>
    public static async Task<HttpClient> SignInUserAsync(this Scenario scenario, string userId)
    {
        var client = scenario.Server.CreateClient();
        using var response = await scenario.PostSignInAsync(client, userId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Sign-in of {userId} failed: {text}");
        var token = JsonNode.Parse(text)!["token"]!.GetValue<string>();
        SuiteLog.RegisterSecret(token, "user token");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Signs a user in with <c>?cookie=true</c> and returns a client whose cookie container keeps the session
    /// cookie, as a browser would, and which sends no Authorization header.
    /// </summary>
    public static async Task<HttpClient> SignInWithCookieAsync(this Scenario scenario, string userId)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true };
        var client = new HttpClient(handler) { BaseAddress = scenario.Server.BaseAddress };
        using var response = await scenario.PostSignInAsync(client, userId, query: "?cookie=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        SuiteLog.RegisterSecret(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!
            .GetValue<string>(), "user token");
        return client;
    }
}
