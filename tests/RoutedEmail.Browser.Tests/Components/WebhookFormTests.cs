using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bunit;
using MudBlazor.Services;
using RoutedEmail.Web.Components.Admin;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

/// <summary>The webhook form: the PUT body it sends and the server's messages next to their fields.</summary>
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the context through DisposeAsync.")]
public sealed class WebhookFormTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();
    private readonly List<(string Name, JsonElement Body, bool OwnSecret)> _saves = [];

    public WebhookFormTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
    }

    [Fact]
    public void WebhookForm_EventTypes_ListsEveryServerType()
    {
        var form = RenderForm(null, null);

        var labels = form.FindAll("fieldset label").Select(label => label.TextContent).ToList();

        Assert.Contains("Received", labels);
        Assert.Contains("SupervisorAction", labels);
        Assert.Equal(WebhookEventTypes.Known.Count + 1, labels.Count);
    }

    [Fact]
    public void WebhookForm_New_SendsChosenValues()
    {
        var form = RenderForm(null, null);

        form.Find("#webhook-name").Change("crm");
        form.Find("#webhook-url").Change(" https://crm.example.com/hooks ");
        CheckType(form, "Received");
        CheckType(form, "Completed");
        form.Find("#webhook-secret").Change("whsec_abc");
        form.Find("form").Submit();

        var (name, body, ownSecret) = Assert.Single(_saves);
        Assert.Equal("crm", name);
        Assert.True(ownSecret);
        Assert.Equal("https://crm.example.com/hooks", body.GetProperty("url").GetString());
        Assert.Equal(["Completed", "Received"], Strings(body.GetProperty("eventTypes")));
        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("whsec_abc", body.GetProperty("secret").GetString());
    }

    [Fact]
    public void WebhookForm_AllTypes_SendsStar()
    {
        var form = RenderForm(null, null);

        form.Find("#webhook-name").Change("crm");
        CheckType(form, "Received");
        form.Find("#webhook-event-all").Change(true);
        form.Find("form").Submit();

        Assert.Equal(["*"], Strings(Assert.Single(_saves).Body.GetProperty("eventTypes")));
    }

    [Fact]
    public void WebhookForm_EditDisabled_KeepsStateAndSecret()
    {
        var webhook = new WebhookSummary("crm", "https://crm.example.com/hooks", ["Received"], false);
        var form = RenderForm(webhook, null);

        form.Find("form").Submit();

        var (name, body, ownSecret) = Assert.Single(_saves);
        Assert.Equal("crm", name);
        Assert.False(ownSecret);
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("secret").ValueKind);
        Assert.Empty(form.FindAll("#webhook-name"));
        Assert.Empty(form.FindAll("#webhook-secret"));
    }

    [Fact]
    public void WebhookForm_UrlRejected_ShowsUnderUrl()
    {
        const string Message = "url \"http://10.0.0.5/hooks\": 10.0.0.5 is in a private network.";
        var rejection = FormErrors.From(new AgentApiException("The request is invalid.", 400,
            new Dictionary<string, string[]> { ["url"] = [Message] }), WebhookForm.Fields);
        var form = RenderForm(null, rejection);

        form.Find("#webhook-name").Change("crm");
        form.Find("form").Submit();

        Assert.Equal(Message, form.Find("[data-testid=error-url]").TextContent.Trim());
        Assert.Equal("true", form.Find("#webhook-url").GetAttribute("aria-invalid"));
        Assert.Equal("webhook-url-error", form.Find("#webhook-url").GetAttribute("aria-describedby"));
    }

    [Fact]
    public void WebhookForm_NoName_RejectedWithoutRequest()
    {
        var form = RenderForm(null, null);

        form.Find("form").Submit();

        Assert.Empty(_saves);
        Assert.Contains("name is missing", form.Find("[data-testid=error-name]").TextContent,
            StringComparison.Ordinal);
    }

    private IRenderedComponent<WebhookForm> RenderForm(WebhookSummary? webhook, FormErrors? answer) =>
        _context.Render<WebhookForm>(parameters => parameters
            .Add(component => component.Webhook, webhook)
            .Add(component => component.Save, (name, body, ownSecret) =>
            {
                _saves.Add((name, JsonSerializer.SerializeToElement(body, AgentApi.Json), ownSecret));
                return Task.FromResult(answer);
            }));

    private static void CheckType(IRenderedComponent<WebhookForm> form, string type)
    {
        var index = WebhookEventTypes.Known.ToList().IndexOf(type);
        form.Find($"#webhook-event-{index}").Change(true);
    }

    private static string[] Strings(JsonElement array) =>
        [.. array.EnumerateArray().Select(item => item.GetString()!)];

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are disposable only asynchronously.
    public async Task DisposeAsync() => await _context.DisposeAsync();
}
