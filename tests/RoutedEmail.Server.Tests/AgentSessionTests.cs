using System.Net;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

public sealed class AgentSessionTests
{
    [Fact]
    public async Task SignOut_SameToken_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        using var signOut = await agent.PostAsync("/api/v1/agent/sign-out", null);
        using var afterwards = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [Fact]
    public async Task SignOut_OtherSession_StillWorks()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var laptop = await scenario.SignInAsync("maria");
        using var phone = await scenario.SignInAsync("maria");

        using var signOut = await laptop.PostAsync("/api/v1/agent/sign-out", null);
        using var fromPhone = await phone.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromPhone.StatusCode);
    }

    [Fact]
    public async Task PasswordChange_ExistingTokens_Rejected()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        await scenario.PutAsync("agents/maria", new
        {
            password = "a-brand-new-password",
            skillQueues = new[] { new { name = "Parts", rank = 1 } },
        });
        using var afterwards = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
    }

    [Fact]
    public async Task ProfileChange_WithoutPassword_KeepsTokens()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");

        await scenario.PutAsync("agents/maria", new { maxConcurrentEmails = 3 });
        using var afterwards = await agent.GetAsync("/api/v1/agent/work");

        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }
}
