using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Web.Pages;

/// <summary>
/// The supervisor's interval reports: the controls, the table and charts of the report shown, and its export as the
/// server's CSV. The page uses the dashboard's session, and a read of the dashboard supplies the tenant's time zone,
/// today's date in it and the queue names.
/// </summary>
public sealed partial class SupervisorReports : IAsyncDisposable
{
    /// <summary>The server's names of the fields whose errors show under their controls.</summary>
    public static readonly string[] Fields = ["from", "to", "interval", "queue"];

    private readonly CancellationTokenSource _stop = new();
    private IJSObjectReference? _downloads;
    private string? _timeZone;
    private IReadOnlyList<string> _queues = [];
    private ReportKind _kind = ReportKind.Queues;
    private string _from = "";
    private string _to = "";
    private string _interval = "60";
    private string _queue = "";
    private FormErrors _errors = FormErrors.None;
    private bool _busy;
    private ReportRequest? _shownRequest;
    private IntervalReport<QueueReportRow>? _queueReport;
    private IntervalReport<AgentReportRow>? _agentReport;
    private IntervalReport<WorkCodeReportRow>? _workCodeReport;

    [Inject]
    private SupervisorApi Api { get; set; } = null!;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    private (DateTimeOffset From, DateTimeOffset To, string Interval, int Rows)? ShownRange =>
        _queueReport is { } queues ? (queues.From, queues.To, queues.Interval, queues.Rows.Count)
        : _agentReport is { } agents ? (agents.From, agents.To, agents.Interval, agents.Rows.Count)
        : _workCodeReport is { } codes ? (codes.From, codes.To, codes.Interval, codes.Rows.Count)
        : null;

    private bool IsDay => ShownRange?.Interval == "day";

    /// <summary>Whether the shown range has more than one UTC offset, as across a daylight-saving change.</summary>
    private bool WithOffset => ShownRange is { } range
        && (range.From.Offset != range.To.Offset || ShownStarts.Select(start => start.Offset).Distinct().Count() > 1);

    private IEnumerable<DateTimeOffset> ShownStarts =>
        _queueReport?.Rows.Select(row => row.IntervalStart)
        ?? _agentReport?.Rows.Select(row => row.IntervalStart)
        ?? _workCodeReport?.Rows.Select(row => row.IntervalStart)
        ?? [];

    private string ShownText
    {
        get
        {
            if (_busy)
            {
                return "Reading the report…";
            }

            if (_shownRequest is not { } request || ShownRange is not { } range)
            {
                return "No report shown.";
            }

            var interval = ReportFormat.Intervals.First(choice => choice.Value == range.Interval).Label
                .ToLowerInvariant();
            var queue = request.HasQueues && request.Queue.Length > 0 ? $", queue {request.Queue}" : "";
            var rows = range.Rows == 1 ? "1 row" : $"{range.Rows} rows";
            var quiet = range.Rows == 0 ? " Nothing happened in the range." : "";
            return $"Showing the {KindText(request.Kind)} report from {Bound(range.From)} to {Bound(range.To)}, " +
                $"intervals of {interval}{queue}: {rows}.{quiet} Times are in {_timeZone}; durations are rounded " +
                "to the second, and the CSV has milliseconds.";
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        if (await Api.LoadAsync() is null)
        {
            Navigation.NavigateTo("supervisor/sign-in");
            return;
        }

        if (await TryAsync(ReadDefaultsAsync))
        {
            await TryAsync(ReadReportAsync);
        }

        StateHasChanged();
    }

    /// <summary>Sets the range to yesterday in the tenant's time zone, and reads the queue names.</summary>
    private async Task ReadDefaultsAsync()
    {
        var dashboard = await Api.GetDashboardAsync(_stop.Token);
        var today = DateOnly.FromDateTime(dashboard.DayStart.DateTime);
        _from = today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        _to = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        _queues = dashboard.Queues.Select(queue => queue.Name).ToList();
        _timeZone = dashboard.TimeZone;
    }

    private async Task ShowAsync()
    {
        _busy = true;
        await TryAsync(ReadReportAsync);
        _busy = false;
    }

    private async Task ReadReportAsync()
    {
        var request = new ReportRequest(_kind, _from, _to, _interval, _queue);
        _shownRequest = null;
        _queueReport = null;
        _agentReport = null;
        _workCodeReport = null;
        switch (request.Kind)
        {
            case ReportKind.Agents:
                _agentReport = await Api.GetReportAsync<AgentReportRow>(request, _stop.Token);
                _timeZone = _agentReport.TimeZone;
                break;
            case ReportKind.WorkCodes:
                _workCodeReport = await Api.GetReportAsync<WorkCodeReportRow>(request, _stop.Token);
                _timeZone = _workCodeReport.TimeZone;
                break;
            default:
                _queueReport = await Api.GetReportAsync<QueueReportRow>(request, _stop.Token);
                _timeZone = _queueReport.TimeZone;
                break;
        }

        _shownRequest = request;
    }

    /// <summary>
    /// Downloads the server's CSV of the report shown, fetched with the session's token, under a file name that
    /// names the tenant, the report, the range and the interval.
    /// </summary>
    private async Task ExportAsync()
    {
        if (_shownRequest is not { } request || Api.Current is not { } session)
        {
            return;
        }

        _busy = true;
        await TryAsync(async () =>
        {
            var bytes = await Api.GetReportCsvAsync(request, _stop.Token);
            _downloads ??= await JS.InvokeAsync<IJSObjectReference>("import", _stop.Token, "./js/reports.js");
            var fileName = ReportFormat.FileName(session.CompanyCode, session.Environment, request);
            await _downloads.InvokeVoidAsync("saveFile", _stop.Token, fileName, "text/csv", bytes);
        });
        _busy = false;
    }

    /// <summary>
    /// Runs a read and shows its failure: field errors under their controls, other errors at the top. A rejected
    /// token ends the session. Returns false when the read failed.
    /// </summary>
    private async Task<bool> TryAsync(Func<Task> read)
    {
        try
        {
            await read();
            _errors = FormErrors.None;
            return true;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return false;
        }
        catch (AgentApiException exception) when (exception.StatusCode == 401)
        {
            await _stop.CancelAsync();
            await Api.ClearAsync();
            Navigation.NavigateTo("supervisor/sign-in?reason=ended");
            return false;
        }
        catch (AgentApiException exception)
        {
            _errors = FormErrors.From(exception, Fields);
            return false;
        }
        catch (HttpRequestException)
        {
            _errors = FormErrors.FromMessage("The server cannot be reached. Check the connection and try again.");
            return false;
        }
    }

    private async Task SignOutAsync()
    {
        await _stop.CancelAsync();
        await Api.SignOutAsync(CancellationToken.None);
        Navigation.NavigateTo("supervisor/sign-in");
    }

    // The date inputs send yyyy-MM-dd, or an empty string when cleared, which the server reports as missing.
    private static string Text(ChangeEventArgs change) => change.Value as string ?? "";

    private static string KindText(ReportKind kind) => kind switch
    {
        ReportKind.Agents => "agent",
        ReportKind.WorkCodes => "work code",
        _ => "skill queue",
    };

    private static string Bound(DateTimeOffset time) =>
        time.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) +
        $" ({ReportFormat.Offset(time)})";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_downloads is { } module)
        {
            await module.DisposeAsync();
        }

        _stop.Dispose();
    }
}
