using System.Globalization;
using System.Text.Json;
using RoutedEmail.Core.Emails;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Events;

/// <summary>
/// Writes a stored event as its public JSON document, the same for the event feed and for webhook deliveries:
/// <c>id</c>, <c>sequence</c>, <c>type</c>, <c>time</c> and <c>data</c>. docs/events.md lists the fields of each
/// type. The document never contains email content (subject, addresses, attribute values), keys, passwords or
/// tokens: <c>data</c> is built field by field from known event types, and the stored detail of an unknown type
/// is left out.
/// </summary>
internal static class EventDocument
{
    /// <summary>The media type of a stream of documents, one per line.</summary>
    public const string NdjsonContentType = "application/x-ndjson";

    /// <summary>Writes one event as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, FeedEvent stored)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(stored);
        writer.WriteStartObject();
        writer.WriteString("id", stored.PublicId);
        writer.WriteNumber("sequence", stored.Sequence);
        writer.WriteString("type", stored.Type);
        writer.WriteString("time", FormatTime(stored.Time));
        writer.WriteStartObject("data");
        WriteEmailFields(writer, stored);
        WriteTypeFields(writer, stored);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Formats a time as ISO 8601 in UTC with milliseconds, the precision the log stores.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteEmailFields(Utf8JsonWriter writer, FeedEvent stored)
    {
        if (stored.EmailId is { } emailId)
        {
            writer.WriteNumber("emailId", emailId);
            WriteIfPresent(writer, "entityId", stored.EntityId);
        }

        WriteIfPresent(writer, "queue", stored.Queue);
        if (stored.Type != EventTypes.UserSignedIn)
        {
            WriteIfPresent(writer, "agentId", stored.AgentId);
        }

        if (stored.OfferId is { } offerId)
        {
            writer.WriteNumber("offerId", offerId);
        }
    }

    private static void WriteTypeFields(Utf8JsonWriter writer, FeedEvent stored)
    {
        var detail = stored.Detail;
        switch (stored.Type)
        {
            case EventTypes.Received:
                WriteStates(writer, null, "Queued");
                break;
            case EventTypes.Offered:
                WriteStates(writer, null, "Offered");
                break;
            case EventTypes.Accepted:
                WriteStates(writer, "Offered", "Active");
                break;
            case EventTypes.OfferWithdrawn or EventTypes.OfferExpired or EventTypes.OfferDeclined:
                WriteStates(writer, "Offered", "Queued");
                break;
            case EventTypes.WrapStarted:
                WriteStates(writer, "Active", "Wrap");
                WriteIfPresent(writer, "workCode", detail);
                break;
            case EventTypes.Completed:
                WriteStates(writer, null, "Completed");
                WriteIfPresent(writer, "workCode", detail);
                break;
            case EventTypes.Canceled:
                WriteStates(writer, null, "Canceled");
                break;
            case EventTypes.Transferred:
                WriteTransfer(writer, stored);
                break;
            case EventTypes.Escalated:
                WriteStates(writer, null, "Queued");
                CopyProperties(writer, detail, "previousPriority", "priority", "overflowQueue");
                break;
            case EventTypes.AgentStatusChanged:
                WriteStatus(writer, detail);
                break;
            case EventTypes.OtherWorkChanged:
                if (int.TryParse(detail, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    writer.WriteNumber("otherWorkCount", count);
                }

                break;
            case EventTypes.QueueUnattended or EventTypes.QueueAttended:
                WriteIfPresent(writer, "queue", detail);
                break;
            case EventTypes.UserSignedIn:
                WriteIfPresent(writer, "userId", stored.AgentId);
                break;
            case EventTypes.ResourceCreated or EventTypes.ResourceChanged or EventTypes.ResourceDisabled
                or EventTypes.ResourceEnabled or EventTypes.ResourceDeleted:
                CopyProperties(writer, detail, "kind", "name", "action", "deliveryId", "count", "by");
                break;
            case EventTypes.Erased:
                CopyProperties(writer, detail, "by");
                break;
            case EventTypes.SupervisorAction:
                CopyProperties(writer, detail, "action", "by");
                break;
        }
    }

    private static void WriteStates(Utf8JsonWriter writer, string? previous, string state)
    {
        WriteIfPresent(writer, "previousState", previous);
        writer.WriteString("state", state);
    }

    // A transfer to a queue stores the new queue, which the event's queue then equals. A transfer to an agent
    // stores the agent id, and the email stays in its queue as an offer to that agent.
    // NOTE: an agent id that equals the name of the email's queue reads as a transfer to that queue.
    private static void WriteTransfer(Utf8JsonWriter writer, FeedEvent stored)
    {
        if (string.IsNullOrEmpty(stored.Detail) || stored.Detail == stored.Queue)
        {
            WriteStates(writer, "Active", "Queued");
            WriteIfPresent(writer, "toQueue", stored.Queue);
            return;
        }

        WriteStates(writer, "Active", "Offered");
        writer.WriteString("toAgentId", stored.Detail);
    }

    // The stored detail is the status, then either " timeout" when the inactivity timeout set it, or a space and
    // the away reason code.
    private static void WriteStatus(Utf8JsonWriter writer, string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return;
        }

        var space = detail.IndexOf(' ', StringComparison.Ordinal);
        writer.WriteString("status", space < 0 ? detail : detail[..space]);
        var rest = space < 0 ? null : detail[(space + 1)..];
        writer.WriteBoolean("byTimeout", rest == "timeout");
        if (rest is not null and not "timeout")
        {
            writer.WriteString("awayReason", rest);
        }
    }

    /// <summary>Copies the named properties of a stored JSON detail, and only those, into the data object.</summary>
    private static void CopyProperties(Utf8JsonWriter writer, string? detail, params string[] names)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return;
        }

        using var document = JsonDocument.Parse(detail);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var name in names)
        {
            if (document.RootElement.TryGetProperty(name, out var value))
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
        }
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
