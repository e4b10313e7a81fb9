namespace RoutedEmail.Web.Services;

/// <summary>
/// The interval reports under <c>/api/v1/tenants/{c}/{e}/reports</c>, as JSON for the page and as the server's own
/// CSV for export. Both raise <see cref="AgentApiException"/> with the problem's field errors when the server
/// rejects the parameters, and <see cref="HttpRequestException"/> when it cannot be reached.
/// </summary>
public sealed partial class SupervisorApi
{
    /// <summary>Reads one report as JSON.</summary>
    /// <typeparam name="TRow">
    /// <see cref="QueueReportRow"/>, <see cref="AgentReportRow"/> or <see cref="WorkCodeReportRow"/>, matching
    /// <see cref="ReportRequest.Kind"/>.
    /// </typeparam>
    public Task<IntervalReport<TRow>> GetReportAsync<TRow>(
        ReportRequest request, CancellationToken cancellationToken) =>
        SendTenantAsync<IntervalReport<TRow>>(HttpMethod.Get, request.RelativePath(csv: false), null,
            cancellationToken);

    /// <summary>
    /// Reads one report as the server writes its CSV, byte for byte, so the exported file is the server's own.
    /// </summary>
    public async Task<byte[]> GetReportCsvAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendTenantAsync(
            HttpMethod.Get, request.RelativePath(csv: true), null, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}
