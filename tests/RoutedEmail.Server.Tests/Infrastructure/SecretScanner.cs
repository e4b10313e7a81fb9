using System.Text;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// Finds known secrets in log messages. A message is checked against every secret registered before it arrives,
/// and a newly registered secret against the most recent messages. A secret the service generates, such as an API
/// key, reaches the test only after the lines logged while it was made.
/// </summary>
public sealed class SecretScanner(int recentCapacity = SecretScanner.DefaultRecentCapacity)
{
    /// <summary>The number of recent messages a new secret is checked against.</summary>
    public const int DefaultRecentCapacity = 10_000;

    /// <summary>
    /// Secrets shorter than this are not registered: every secret the helpers create is longer, and shorter
    /// values such as a one-letter attribute appear in logs by chance.
    /// </summary>
    public const int MinSecretLength = 8;

    private const int MaxFindings = 50;

    private readonly Lock _gate = new();

    // Secrets by their first MinSecretLength characters, so a message is searched in one pass over its text.
    private readonly Dictionary<string, List<(string Value, string Kind)>> _byPrefix = new(StringComparer.Ordinal);
    private readonly Queue<string> _recent = new();
    private readonly List<string> _findings = [];
    private long _messageCount;
    private int _secretCount;

    public long MessageCount
    {
        get
        {
            lock (_gate)
            {
                return _messageCount;
            }
        }
    }

    public int SecretCount
    {
        get
        {
            lock (_gate)
            {
                return _secretCount;
            }
        }
    }

    /// <summary>The messages that contained a secret, with the secret replaced by its kind; at most 50.</summary>
    public IReadOnlyList<string> Findings
    {
        get
        {
            lock (_gate)
            {
                return [.. _findings];
            }
        }
    }

    /// <summary>Adds a value that no log line may contain, such as an API key or an email subject.</summary>
    /// <param name="value">The secret; values shorter than <see cref="MinSecretLength"/> are ignored.</param>
    /// <param name="kind">What the value is, such as <c>API key</c>, shown in a finding instead of the value.</param>
    public void Register(string? value, string kind)
    {
        if (value is null || value.Length < MinSecretLength)
        {
            return;
        }

        lock (_gate)
        {
            var prefix = value[..MinSecretLength];
            if (!_byPrefix.TryGetValue(prefix, out var secrets))
            {
                secrets = [];
                _byPrefix[prefix] = secrets;
            }

            if (secrets.Exists(secret => secret.Value == value))
            {
                return;
            }

            secrets.Add((value, kind));
            _secretCount++;
            foreach (var message in _recent)
            {
                if (message.Contains(value, StringComparison.Ordinal))
                {
                    AddFinding(message, value, kind);
                }
            }
        }
    }

    /// <summary>Checks one log message against the registered secrets and keeps it for later ones.</summary>
    public void Inspect(string message)
    {
        lock (_gate)
        {
            _messageCount++;
            var lookup = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
            for (var i = 0; i + MinSecretLength <= message.Length; i++)
            {
                if (!lookup.TryGetValue(message.AsSpan(i, MinSecretLength), out var secrets))
                {
                    continue;
                }

                foreach (var (value, kind) in secrets)
                {
                    if (message.AsSpan(i).StartsWith(value, StringComparison.Ordinal))
                    {
                        AddFinding(message, value, kind);
                    }
                }
            }

            _recent.Enqueue(message);
            if (_recent.Count > recentCapacity)
            {
                _recent.Dequeue();
            }
        }
    }

    private void AddFinding(string message, string value, string kind)
    {
        if (_findings.Count < MaxFindings)
        {
            var masked = new StringBuilder(message).Replace(value, $"<{kind}>").ToString();
            _findings.Add($"{kind} in: {masked}");
        }
    }
}
