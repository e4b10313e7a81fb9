namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Remembers the requests that failed because the database could not be used, such as writes to a full disk. The
/// readiness check reports them, and the 503 handlers ask it whether to log a failure with its stack trace, so
/// that a full disk under steady traffic logs one stack trace a minute instead of one per request.
/// </summary>
internal sealed class StorageFailures(TimeProvider time)
{
    /// <summary>
    /// How long after a failure <c>/healthz</c> still reports it. Clients that honour <c>Retry-After</c> come back
    /// within this time, so a lasting failure keeps the node unready, and a node without traffic becomes ready
    /// again by itself.
    /// </summary>
    public static readonly TimeSpan ReadinessWindow = TimeSpan.FromSeconds(30);

    /// <summary>The shortest time between two logged failures.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private DateTimeOffset? _lastFailure;
    private DateTimeOffset? _lastLogged;
    private int _unlogged;

    /// <summary>
    /// Records a failure, and decides whether it is logged: the first one, and then at most one every
    /// <see cref="LogInterval"/>.
    /// </summary>
    /// <param name="skipped">When the failure is to be logged, how many failures since the last logged one were not.</param>
    /// <returns>Whether the caller logs this failure.</returns>
    public bool Record(out int skipped)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _lastFailure = now;
            if (_lastLogged is { } logged && now - logged < LogInterval)
            {
                _unlogged++;
                skipped = 0;
                return false;
            }

            _lastLogged = now;
            skipped = _unlogged;
            _unlogged = 0;
            return true;
        }
    }

    /// <summary>The time of the last failure, when it lies within <see cref="ReadinessWindow"/>; otherwise null.</summary>
    public DateTimeOffset? RecentFailure
    {
        get
        {
            lock (_lock)
            {
                return _lastFailure is { } last && time.GetUtcNow() - last < ReadinessWindow ? last : null;
            }
        }
    }
}
