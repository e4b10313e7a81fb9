using System.Data.Common;
using System.Globalization;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Maps tenant ids to the <c>companyCode/environment</c> label of metrics. The map is read once and read again only
/// for an id it does not contain, such as a tenant created since, so a metric costs no query.
/// </summary>
internal sealed partial class TenantLabels(ITenantStore tenants, ILogger<TenantLabels> logger) : IDisposable
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Dictionary<long, string> _labels = [];

    /// <summary>
    /// Returns the tenant's label. When reading the tenants fails with a database error, it returns the id as text, so
    /// that the metric of a call that already committed does not fail that call.
    /// </summary>
    public async ValueTask<string> GetAsync(long tenantId, CancellationToken cancellationToken)
    {
        if (_labels.TryGetValue(tenantId, out var label))
        {
            return label;
        }

        await _reload.WaitAsync(cancellationToken);
        try
        {
            if (!_labels.TryGetValue(tenantId, out label))
            {
                var all = await tenants.ListTenantsAsync(cancellationToken);
                _labels = all.ToDictionary(
                    tenant => tenant.Id, tenant => Format(tenant.CompanyCode, tenant.Environment));
                label = _labels.GetValueOrDefault(tenantId);
            }
        }
        catch (DbException exception)
        {
            Log.ReadFailed(logger, exception, tenantId);
        }
        finally
        {
            _reload.Release();
        }

        return label ?? tenantId.ToString(CultureInfo.InvariantCulture);
    }

    public void Dispose() => _reload.Dispose();

    /// <summary>Formats a tenant's label.</summary>
    public static string Format(string companyCode, string environment) => $"{companyCode}/{environment}";

    private static partial class Log
    {
        [LoggerMessage(2301, LogLevel.Warning,
            "Reading the tenants for metric labels failed; tenant {TenantId} is labelled with its id")]
        public static partial void ReadFailed(ILogger logger, Exception exception, long tenantId);
    }
}
