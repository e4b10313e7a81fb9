using System.Diagnostics.CodeAnalysis;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using RoutedEmail.Core.Agents;
using RoutedEmail.Web.Components;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the context through DisposeAsync.")]
public sealed class StatusPanelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly BunitContext _context = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<(AgentStatus Status, string? Reason)> _choices = [];

    public StatusPanelTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddSingleton<TimeProvider>(_time);
    }

    [Fact]
    public void StatusPanel_Missed_ExplainsHowToLeaveIt()
    {
        var panel = Render(new AgentWork(AgentStatus.Missed, [], []), since: Start.AddMinutes(-2));

        Assert.Contains("Missed", panel.Find("[data-testid=status]").TextContent, StringComparison.Ordinal);
        Assert.Contains("for 2:00", panel.Find("[data-testid=time-in-status]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Choose Available to get offers again",
            panel.Find("[data-testid=missed-help]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusPanel_ClockAdvances_TimeInStatusGrows()
    {
        var panel = Render(new AgentWork(AgentStatus.Available, [], []), since: Start);

        _time.Advance(TimeSpan.FromSeconds(75));

        panel.WaitForAssertion(() => Assert.Equal("for 1:15",
            panel.Find("[data-testid=time-in-status]").TextContent.Trim()));
    }

    [Fact]
    public void StatusPanel_Load_CountsEmailsAndOtherWork()
    {
        var panel = Render(new AgentWork(AgentStatus.Available, [], [], OtherWorkCount: 1), since: Start,
            maxEmails: 3, maxTasks: 4);

        var load = string.Join(" ", panel.Find("[data-testid=load]").TextContent.Split(
            (char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Load: 0 of 3 emails · 1 of 4 tasks (1 on other channels)", load);
    }

    [Fact]
    public void StatusPanel_AwayWithReasons_SendsChosenReason()
    {
        DesktopAwayReason[] reasons = [new("lunch", "Lunch break"), new("training", "")];
        var panel = Render(new AgentWork(AgentStatus.Available, [], []), since: Start, reasons: reasons);

        panel.Find("#away-reason").Change("training");
        panel.FindAll("button").Single(button => button.TextContent.Trim() == "Away").Click();

        Assert.Equal([(AgentStatus.Away, (string?)"training")], _choices);
    }

    [Fact]
    public void StatusPanel_AwayNoReason_AsksForOne()
    {
        DesktopAwayReason[] reasons = [new("lunch", "Lunch break"), new("training", "")];
        var panel = Render(new AgentWork(AgentStatus.Available, [], []), since: Start, reasons: reasons);

        panel.FindAll("button").Single(button => button.TextContent.Trim() == "Away").Click();

        Assert.Empty(_choices);
        Assert.Contains("Choose an away reason first", panel.Find("[role=alert]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusPanel_ServerRejects_ShowsMessage()
    {
        var panel = Render(new AgentWork(AgentStatus.Offline, [], []), since: null,
            answer: "reason is missing, and this tenant requires one for Away.");

        panel.FindAll("button").Single(button => button.TextContent.Trim() == "Away").Click();

        Assert.Contains("reason is missing", panel.Find("[role=alert]").TextContent, StringComparison.Ordinal);
    }

    private IRenderedComponent<StatusPanel> Render(
        AgentWork work, DateTimeOffset? since, int maxEmails = 1, int maxTasks = 1,
        IReadOnlyList<DesktopAwayReason>? reasons = null, string? answer = null) =>
        _context.Render<StatusPanel>(parameters => parameters
            .Add(component => component.Work, work)
            .Add(component => component.Since, since)
            .Add(component => component.MaxEmails, maxEmails)
            .Add(component => component.MaxTasks, maxTasks)
            .Add(component => component.AwayReasons, reasons ?? [])
            .Add(component => component.OnChoose, (status, reason) =>
            {
                _choices.Add((status, reason));
                return Task.FromResult(answer);
            }));

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are disposable only asynchronously.
    public async Task DisposeAsync() => await _context.DisposeAsync();
}
