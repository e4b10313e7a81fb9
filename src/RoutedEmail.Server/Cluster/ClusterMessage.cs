using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoutedEmail.Server.Cluster;

/// <summary>The kind of change a cluster message announces to the other nodes.</summary>
internal enum ClusterMessageKind
{
    /// <summary>An agent's work or status changed, so a node with hub connections of the agent pushes it.</summary>
    AgentChanged,

    /// <summary>A new deadline may exist, so every deadline service rereads its next deadline.</summary>
    DeadlinesChanged,

    /// <summary>A routing step may now make an offer in the tenant, so every router runs one.</summary>
    TenantRoutable,

    /// <summary>
    /// A transaction committed events, so every webhook delivery service looks for new work. The message names no
    /// tenant, so PostgreSQL delivers the identical messages of one batch once.
    /// </summary>
    EventsCommitted,
}

/// <summary>
/// One message on the cluster channel, sent with <c>pg_notify</c> as JSON such as
/// <c>{"node":"5f0c…","kind":"AgentChanged","tenantId":3,"agentId":"maria","reason":"Offered"}</c>. It carries ids
/// and an event name only, never email content or a secret, so it stays far below PostgreSQL's payload limit of
/// 8000 bytes.
/// </summary>
/// <param name="Node">The id of the node that sent it, so that node ignores its own message.</param>
/// <param name="Kind">The kind of change.</param>
/// <param name="TenantId">
/// The tenant, for <see cref="ClusterMessageKind.AgentChanged"/> and <see cref="ClusterMessageKind.TenantRoutable"/>.
/// </param>
/// <param name="AgentId">The agent, for <see cref="ClusterMessageKind.AgentChanged"/>.</param>
/// <param name="Reason">The event name of the change, for <see cref="ClusterMessageKind.AgentChanged"/>.</param>
internal sealed record ClusterMessage(
    string Node, ClusterMessageKind Kind, long TenantId = 0, string? AgentId = null, string? Reason = null)
{
    /// <summary>The maximum payload in bytes: PostgreSQL requires it shorter than 8000 bytes by default.</summary>
    public const int MaxPayloadBytes = 7999;

    /// <summary>Serializes the message into a notification payload.</summary>
    public string ToPayload() => JsonSerializer.Serialize(this, ClusterMessageJson.Default.ClusterMessage);

    /// <summary>Whether the payload fits into one notification.</summary>
    public static bool Fits(string payload) => Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes;

    /// <summary>
    /// Parses a notification payload, or returns null when it is not a valid message, such as one from a newer
    /// node with a kind this node does not know.
    /// </summary>
    public static ClusterMessage? TryParse(string payload)
    {
        try
        {
            var message = JsonSerializer.Deserialize(payload, ClusterMessageJson.Default.ClusterMessage);
            return message is { Node.Length: > 0 } && IsComplete(message) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsComplete(ClusterMessage message) => message.Kind switch
    {
        ClusterMessageKind.AgentChanged => message.AgentId is not null && message.Reason is not null,
        ClusterMessageKind.DeadlinesChanged => true,
        ClusterMessageKind.TenantRoutable => true,
        ClusterMessageKind.EventsCommitted => true,
        _ => false,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ClusterMessage))]
internal sealed partial class ClusterMessageJson : JsonSerializerContext;
