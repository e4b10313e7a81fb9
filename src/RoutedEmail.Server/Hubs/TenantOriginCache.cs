using System.Collections.Frozen;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Hubs;

/// <summary>
/// The allowed origins of every tenant, read again from the tenant store once the last read is older than
/// <see cref="Lifetime"/>. Creating or changing a tenant on this node calls <see cref="Invalidate"/>, so the change
/// applies to the next request.
/// </summary>
internal sealed class TenantOriginCache(ITenantStore tenants, TimeProvider time)
{
    /// <summary>How long a read stays in use, which is also the maximum delay before other nodes use changed origins.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private Snapshot? _snapshot;
    private long _version;

    /// <summary>Returns the current origins, reading them again when the last read is older than the lifetime.</summary>
    public async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        Snapshot? snapshot;
        long version;
        lock (_gate)
        {
            snapshot = _snapshot;
            version = _version;
        }

        var now = time.GetUtcNow();
        if (snapshot is not null && now - snapshot.ReadAt < Lifetime)
        {
            return snapshot;
        }

        var all = await tenants.ListTenantsAsync(cancellationToken);
        var byTenant = all.ToFrozenDictionary(
            tenant => tenant.Id,
            tenant => new TenantOrigins(
                tenant.CompanyCode, tenant.Environment, tenant.AllowedOrigins.ToFrozenSet(StringComparer.Ordinal)));
        var fresh = new Snapshot(
            now, byTenant, all.SelectMany(tenant => tenant.AllowedOrigins).ToFrozenSet(StringComparer.Ordinal));

        // A read that started before an invalidation may miss the change, so it is used once but not kept.
        lock (_gate)
        {
            if (_version == version)
            {
                _snapshot = fresh;
            }
        }

        return fresh;
    }

    /// <summary>Drops the stored read, so the next request reads the tenants again.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _version++;
            _snapshot = null;
        }
    }

    /// <summary>The origins of one tenant, with its codes for messages.</summary>
    internal sealed record TenantOrigins(string CompanyCode, string Environment, FrozenSet<string> Origins);

    /// <summary>One read of every tenant's normalised origins.</summary>
    /// <param name="ReadAt">When the tenants were read.</param>
    /// <param name="ByTenant">Each tenant's origins by tenant id.</param>
    /// <param name="AnyTenant">The origins that at least one tenant lists.</param>
    internal sealed record Snapshot(
        DateTimeOffset ReadAt, FrozenDictionary<long, TenantOrigins> ByTenant, FrozenSet<string> AnyTenant);
}
