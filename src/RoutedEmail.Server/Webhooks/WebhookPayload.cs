using System.Text.Json;
using RoutedEmail.Server.Events;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>Writes the JSON body of a delivery from its event.</summary>
internal static class WebhookPayload
{
    /// <summary>
    /// Writes the event's public document, the same one the event feed serves, so a receiver can read deliveries
    /// and the feed with one parser. It never contains email content.
    /// </summary>
    public static byte[] Write(WebhookEvent stored)
    {
        var document = new FeedEvent(
            stored.Sequence, stored.PublicId, stored.Time, stored.Type, stored.EmailId, stored.EntityId,
            stored.Queue, stored.AgentId, stored.OfferId, stored.Detail);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            EventDocument.Write(writer, document);
        }

        return buffer.ToArray();
    }
}
