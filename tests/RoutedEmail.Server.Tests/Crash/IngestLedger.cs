namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// The entity ids the crash loop sent, those acknowledged with success, and the batches that got no response and
/// are re-sent, as a client retry would, after the next restart.
/// </summary>
internal sealed class IngestLedger
{
    private const int ResendParallelism = 4;

    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private readonly List<IReadOnlyList<string>> _unanswered = [];

    /// <summary>Every entity id sent at least once.</summary>
    public IReadOnlySet<string> Sent => _sent;

    /// <summary>Every entity id of a batch acknowledged with 200 SUCCESS.</summary>
    public IReadOnlySet<string> Acknowledged => _acknowledged;

    /// <summary>Records a batch; a batch that is not acknowledged is re-sent by the next resend.</summary>
    public void Record(IReadOnlyList<string> entityIds, bool acknowledged)
    {
        _sent.UnionWith(entityIds);
        if (acknowledged)
        {
            _acknowledged.UnionWith(entityIds);
        }
        else
        {
            _unanswered.Add(entityIds);
        }
    }

    /// <summary>
    /// Re-sends every unanswered batch. Each must be acknowledged, whether the killed process stored it or not.
    /// </summary>
    public async Task ResendUnansweredAsync(TenantClient client, string context)
    {
        var batches = _unanswered.ToList();
        _unanswered.Clear();
        var failures = new List<string>();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = ResendParallelism },
            async (entityIds, cancellationToken) =>
            {
                using var response = await client.IngestAsync(client.BuildBody(entityIds), cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                lock (failures)
                {
                    if (body != TenantClient.SuccessBody)
                    {
                        failures.Add($"{entityIds[0]}: {(int)response.StatusCode} {body}");
                    }
                }
            });

        Assert.True(failures.Count == 0,
            $"{context}: {failures.Count} re-sent batches were not acknowledged, such as {failures.FirstOrDefault()}.");
        foreach (var entityIds in batches)
        {
            _acknowledged.UnionWith(entityIds);
        }
    }
}
