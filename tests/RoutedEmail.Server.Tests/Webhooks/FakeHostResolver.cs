using System.Net;
using RoutedEmail.Server.Webhooks;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>Answers host names from a table and records them, so tests never look a name up in DNS.</summary>
internal sealed class FakeHostResolver(Dictionary<string, IPAddress[]> answers) : IWebhookHostResolver
{
    private readonly List<string> _resolved = [];

    public IReadOnlyList<string> Resolved
    {
        get
        {
            lock (_resolved)
            {
                return [.. _resolved];
            }
        }
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        lock (_resolved)
        {
            _resolved.Add(host);
        }

        return Task.FromResult(answers.TryGetValue(host, out var addresses) ? addresses : []);
    }
}
