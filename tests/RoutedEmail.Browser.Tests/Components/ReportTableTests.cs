using System.Diagnostics.CodeAnalysis;
using Bunit;
using MudBlazor.Services;
using RoutedEmail.Web.Components.Reports;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the context through DisposeAsync.")]
public sealed class ReportTableTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(-6));

    private readonly BunitContext _context = new();

    public ReportTableTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
    }

    [Fact]
    public void QueueTable_Rows_FormatsEachFigure()
    {
        var row = ReportTotalsTests.Queue("Parts", accepted: 2, totalWait: 300, maxWait: 180, answered: 1,
            threshold: 150) with { AverageHandleSeconds = 3725.4 };

        var table = _context.Render<QueueReportTable>(parameters => parameters.Add(p => p.Rows, [row]));

        var cells = table.Find("[data-testid=report-row]");
        Assert.Equal("2026-03-02 09:00–09:15", cells.QuerySelector("th")!.TextContent);
        Assert.Equal("Parts", Cell(cells, "queue"));
        Assert.Equal("2:30", Cell(cells, "average-wait"));
        Assert.Equal("3:00", Cell(cells, "max-wait"));
        Assert.Equal("1:02:05", Cell(cells, "average-handle"));
        Assert.Equal("50.0 %", Cell(cells, "service-level"));
    }

    [Fact]
    public void QueueTable_NothingAccepted_CellsEmpty()
    {
        var row = ReportTotalsTests.Queue("Parts", accepted: 0, totalWait: 0, maxWait: null, answered: 0,
            threshold: 150) with { Received = 3 };

        var table = _context.Render<QueueReportTable>(parameters => parameters.Add(p => p.Rows, [row]));

        var totals = table.Find("[data-testid=report-totals]");
        Assert.Equal("3", Cell(totals, "received"));
        Assert.Equal("", Cell(totals, "service-level"));
        Assert.Equal("", Cell(totals, "average-wait"));
        Assert.Equal("", Cell(table.Find("[data-testid=report-row]"), "service-level"));
    }

    [Fact]
    public void QueueTable_NoRows_HasNoTotals()
    {
        var table = _context.Render<QueueReportTable>(parameters => parameters.Add(p => p.Rows, []));

        Assert.Empty(table.FindAll("[data-testid=report-row]"));
        Assert.Empty(table.FindAll("[data-testid=report-totals]"));
    }

    [Fact]
    public void QueueTable_Region_FocusableWithScrollCue()
    {
        var table = _context.Render<QueueReportTable>(parameters => parameters.Add(p => p.Rows, []));

        var region = table.Find("[data-testid=report-table]");
        Assert.Equal("0", region.GetAttribute("tabindex"));
        Assert.Equal("region", region.GetAttribute("role"));
        var cue = table.Find("#" + region.GetAttribute("aria-describedby"));
        Assert.Contains("scroll it sideways", cue.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkCodeTable_NullCode_ShowsNoCode()
    {
        WorkCodeReportRow[] rows =
        [
            new(Start, Start.AddDays(1), "Parts", null, 2),
            new(Start, Start.AddDays(1), "Parts", "Resolved", 3),
        ];

        var table = _context.Render<WorkCodeReportTable>(parameters => parameters
            .Add(p => p.Rows, rows).Add(p => p.IsDay, true));

        var tableRows = table.FindAll("[data-testid=report-row]");
        Assert.Equal("2026-03-02", tableRows[0].QuerySelector("th")!.TextContent);
        Assert.Equal("(no code)", Cell(tableRows[0], "work-code"));
        Assert.Equal("5", Cell(table.Find("[data-testid=report-totals]"), "completed"));
    }

    [Fact]
    public void AgentTable_WorkCodes_ListedWithCounts()
    {
        AgentReportRow row = new(Start, Start.AddMinutes(15), "maria", 600, 120, 0, 180, 2, 2, 0, 0, 0, 0, 2, 2,
            90, 180, 0, null, 0, [new("Resolved", 1), new(null, 1)]);

        var table = _context.Render<AgentReportTable>(parameters => parameters.Add(p => p.Rows, [row]));

        var cells = table.Find("[data-testid=report-row]");
        Assert.Equal("10:00", Cell(cells, "available"));
        Assert.Equal("3:00", Cell(cells, "offline"));
        Assert.Equal("1:30", Cell(cells, "average-handle"));
        Assert.Equal("", Cell(cells, "average-wrap"));
        Assert.Equal("Resolved 1, (no code) 1", Cell(cells, "work-codes"));
    }

    [Fact]
    public void QueueCharts_Rows_SummarizeTheRange()
    {
        QueueReportRow[] rows =
        [
            ReportTotalsTests.Queue("Parts", accepted: 1, totalWait: 60, maxWait: 60, answered: 1, threshold: 150)
                with { Received = 2 },
            ReportTotalsTests.Queue("General", accepted: 1, totalWait: 600, maxWait: 600, answered: 0,
                threshold: 150) with { Received = 0, Completed = 1 },
        ];

        var charts = _context.Render<QueueReportCharts>(parameters => parameters.Add(p => p.Rows, rows));

        Assert.Contains("2 received, 1 completed, in 1 interval with", charts.Find("[data-testid=volume-summary]")
            .TextContent, StringComparison.Ordinal);
        Assert.Contains("50.0 %", charts.Find("[data-testid=level-summary]").TextContent, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private static string Cell(AngleSharp.Dom.IElement row, string testId) =>
        row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();
}
