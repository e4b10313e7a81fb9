using System.Diagnostics.CodeAnalysis;
using Bunit;
using MudBlazor.Services;
using RoutedEmail.Core.Agents;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Core.Users;
using RoutedEmail.Web.Components.Admin;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

/// <summary>The admin forms show the server's messages where they belong, and the screen-pop preview.</summary>
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the context through DisposeAsync.")]
public sealed class AdminFormTests : IAsyncLifetime
{
    private const string Template = "https://crm.example.com/case/{entityId}?customer={CustomerId}&x={Missing}";

    private readonly BunitContext _context = new();
    private readonly List<object> _bodies = [];

    public AdminFormTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
    }

    [Fact]
    public void SkillQueueForm_FieldError_ShowsUnderField()
    {
        var form = RenderQueueForm(Rejection(
            ("offerTimeoutSeconds", "offerTimeoutSeconds is 1; it must be from 5 to 3600."),
            ("escalation.afterSeconds", "escalation.afterSeconds is missing.")));

        form.Find("form").Submit();

        Assert.Equal("offerTimeoutSeconds is 1; it must be from 5 to 3600.",
            form.Find("[data-testid=error-offerTimeoutSeconds]").TextContent.Trim());
        Assert.Equal("true", form.Find("#offer-timeout").GetAttribute("aria-invalid"));
        Assert.Equal("offer-timeout-error", form.Find("#offer-timeout").GetAttribute("aria-describedby"));
        Assert.Contains("escalation.afterSeconds is missing.", form.Find("[data-testid=form-error]").TextContent,
            StringComparison.Ordinal);
    }

    [Fact]
    public void SkillQueueForm_Conflict_ShowsDetailAtTop()
    {
        var form = RenderQueueForm(FormErrors.From(
            new AgentApiException("Work code group \"Old\" is disabled.", 409), SkillQueueForm.Fields));

        form.Find("form").Submit();

        Assert.Contains("Work code group \"Old\" is disabled.", form.Find("[data-testid=form-error]").TextContent,
            StringComparison.Ordinal);
        Assert.Null(form.Find("#offer-timeout").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void SkillQueueForm_Success_ClearsErrors()
    {
        var form = RenderQueueForm(null);

        form.Find("form").Submit();

        Assert.Empty(form.FindAll("[data-testid=form-error]"));
        Assert.Single(_bodies);
    }

    [Fact]
    public void UserForm_RankError_ShowsUnderRoutingProfile()
    {
        var user = new TenantUser("maria", "Maria Lopez", [UserRole.Agent], true);
        var agent = new Agent("maria", "Maria Lopez", 1, [new SkillAssignment("Parts", 0)], AgentStatus.Offline);
        var form = _context.Render<UserForm>(parameters => parameters
            .Add(component => component.User, user)
            .Add(component => component.Agent, agent)
            .Add(component => component.Queues, ["Parts"])
            .Add(component => component.Save, (_, _, _) => Task.FromResult<FormErrors?>(Rejection(
                ("skillQueues[0].rank", "skillQueues[0].rank is 0; it must be from 1 to 100.")))));

        form.Find("form").Submit();

        Assert.Equal("skillQueues[0].rank is 0; it must be from 1 to 100.",
            form.Find("[data-testid=error-skillQueues]").TextContent.Trim());
    }

    [Fact]
    public void ScreenPopPreview_Template_MatchesServerRendering()
    {
        var preview = _context.Render<ScreenPopPreview>(parameters => parameters.Add(c => c.Template, Template));

        var expected = ScreenPopUrl.Render(Template, "e94c0a8a-0b69-11ec-9a03-0242ac130003",
            [new EmailAttribute("CustomerId", "7762123-01"), new EmailAttribute("Class", "Commercial")]);
        Assert.Equal(expected, preview.Find("[data-testid=preview-url]").TextContent);
        Assert.Equal("https://crm.example.com/case/e94c0a8a-0b69-11ec-9a03-0242ac130003?customer=7762123-01&x=",
            preview.Find("[data-testid=preview-url]").TextContent);
        Assert.Empty(preview.FindAll("[data-testid=preview-invalid]"));
    }

    [Fact]
    public void ScreenPopPreview_SampleChanged_EncodesValues()
    {
        var preview = _context.Render<ScreenPopPreview>(parameters => parameters.Add(c => c.Template, Template));

        preview.Find("#sample-entity-id").Input("a/b c");
        preview.Find("#sample-attributes").Input("CustomerId=x&y=z\r\nMissing");

        Assert.Equal("https://crm.example.com/case/a%2Fb%20c?customer=x%26y%3Dz&x=",
            preview.Find("[data-testid=preview-url]").TextContent);
    }

    [Fact]
    public void ScreenPopPreview_HostPlaceholder_Warns()
    {
        var preview = _context.Render<ScreenPopPreview>(parameters =>
            parameters.Add(c => c.Template, "https://{Url}/case"));

        Assert.Contains("The server rejects this template",
            preview.Find("[data-testid=preview-invalid]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ScreenPopPreview_NoTemplate_SaysNoLink()
    {
        var preview = _context.Render<ScreenPopPreview>(parameters => parameters.Add(c => c.Template, ""));

        Assert.Contains("no template", preview.Find("[data-testid=preview-url]").TextContent,
            StringComparison.Ordinal);
    }

    private IRenderedComponent<SkillQueueForm> RenderQueueForm(FormErrors? answer) =>
        _context.Render<SkillQueueForm>(parameters => parameters
            .Add(component => component.Queue, new SkillQueue("Parts", 60, 0, 3600, [], false))
            .Add(component => component.Save, (_, body) =>
            {
                _bodies.Add(body);
                return Task.FromResult(answer);
            }));

    private static FormErrors Rejection(params (string Key, string Message)[] errors) =>
        FormErrors.From(new AgentApiException("The request is invalid.", 400,
                errors.ToDictionary(error => error.Key, error => new[] { error.Message })),
            [.. SkillQueueForm.Fields, .. UserForm.Fields]);

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are disposable only asynchronously.
    public async Task DisposeAsync() => await _context.DisposeAsync();
}
