using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Core.Emails;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>
/// Screen-pop URLs are opened by the agent's browser, so a template allows only http and https, and a value sent by
/// the CRM stays inside the path segment or query value that its placeholder stands in.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class ScreenPopTests
{
    private const string Template = "https://crm.example.com/case/{Case}/view?customer={Case}&x=1#{Case}";

    public static TheoryData<string> HostileValues => new()
    {
        "a/b",
        "../../admin",
        "a?b=c",
        "a#b",
        "a&x=2",
        "with space",
        "quote\"and'apostrophe",
        "<script>alert(1)</script>",
        "Ünïcødé 日本 🙂",
        "line\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
        "%2F%2E%2E",
        "back\\slash",
    };

    [Theory]
    [InlineData("javascript:alert(1)//{entityId}")]
    [InlineData("JavaScript:alert('{entityId}')")]
    [InlineData("data:text/html,<b>{entityId}</b>")]
    [InlineData("vbscript:msgbox({entityId})")]
    [InlineData("/case/{entityId}")]
    [InlineData("case/{entityId}")]
    [InlineData("//crm.example.com/case/{entityId}")]
    [InlineData("ftp://crm.example.com/case/{entityId}")]
    [InlineData("https://crm.example.com/case/../{entityId}")]
    public async Task PutConfiguration_NotHttpTemplate_Returns400NamingRule(string template)
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.PutAsJsonAsync(
            $"{scenario.TenantPath}/routed-email-configurations/Owner",
            new { skillQueue = "Parts", screenPopUrlTemplate = template });

        var message = await IngestAssert.ValidationProblemAsync(response, "screenPopUrlTemplate");
        Assert.Contains("absolute http or https URL", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void Render_HostileValue_StaysInItsPlace(string value)
    {
        var url = ScreenPopUrl.Render(Template, "e-1", [new EmailAttribute("Case", value)]);

        var uri = new Uri(url!);
        Assert.Equal("https", uri.Scheme);
        Assert.Equal("crm.example.com", uri.Host);
        var segments = uri.AbsolutePath.Split('/');
        Assert.Equal(4, segments.Length);
        Assert.Equal("case", segments[1]);
        Assert.Equal(value, Uri.UnescapeDataString(segments[2]));
        Assert.Equal("view", segments[3]);
        var query = uri.Query.TrimStart('?').Split('&');
        Assert.Equal(2, query.Length);
        Assert.Equal(value, Uri.UnescapeDataString(query[0]["customer=".Length..]));
        Assert.Equal("x=1", query[1]);
        Assert.Equal(value, Uri.UnescapeDataString(uri.Fragment.TrimStart('#')));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public void Render_DotSegmentValue_ReturnsNull(string value)
    {
        var url = ScreenPopUrl.Render(Template, "e-1", [new EmailAttribute("Case", value)]);

        Assert.Null(url);
    }

    [Theory]
    [InlineData("..x")]
    [InlineData("x..")]
    public void Render_DotsInsideSegment_KeepsUrl(string value)
    {
        var url = ScreenPopUrl.Render(Template, "e-1", [new EmailAttribute("Case", value)]);

        Assert.NotNull(url);
        Assert.Equal(value, Uri.UnescapeDataString(new Uri(url).AbsolutePath.Split('/')[2]));
    }

    [Fact]
    public async Task AgentOffer_HostileEntityAndAttribute_UrlEncoded()
    {
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("routed-email-configurations/USPartsSpanish", new
        {
            skillQueue = "Parts",
            screenPopUrlTemplate = "https://crm.example.com/case/{entityId}?customer={Customer}",
        });
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        const string entityId = "../a?b#c \"d\" ü";
        const string customer = "x&y=z/../#?'\"";
        var item = scenario.Item(entityId);
        item["attributes"] = new JsonArray(new JsonObject { ["key"] = "Customer", ["value"] = customer });
        await scenario.IngestAcceptedAsync(item);

        await agent.SetStatusAsync("Available");
        var offer = await agent.WaitForOfferOfAsync(entityId);

        var uri = new Uri(offer["screenPopUrl"]!.GetValue<string>());
        Assert.Equal("crm.example.com", uri.Host);
        var segments = uri.AbsolutePath.Split('/');
        Assert.Equal(3, segments.Length);
        Assert.Equal(entityId, Uri.UnescapeDataString(segments[2]));
        Assert.Equal("customer=" + Uri.EscapeDataString(customer), uri.Query.TrimStart('?'));
    }
}
