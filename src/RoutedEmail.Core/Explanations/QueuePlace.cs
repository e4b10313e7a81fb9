using RoutedEmail.Core.Routing;

namespace RoutedEmail.Core.Explanations;

/// <summary>The email's place in one queue's routing list.</summary>
/// <param name="Self">The email as an entry of that list.</param>
/// <param name="Head">The first email of the list.</param>
/// <param name="Ahead">How many emails of the list come before the email.</param>
/// <param name="Size">How many emails the list has, the email included.</param>
internal sealed record QueuePlace(QueueHead Self, QueueHead Head, int Ahead, int Size)
{
    /// <summary>The queue whose routing list this is.</summary>
    public string Queue => Self.Queue;

    /// <summary>Finds the email's place in a queue's routing list, given in any order.</summary>
    public static QueuePlace Find(ExplainedEmail email, string queue, IReadOnlyList<QueueHead> list)
    {
        var self = new QueueHead(queue, email.EmailId, email.Priority, email.EnqueuedAt);
        var earlier = list.Where(other => other.EmailId != email.EmailId
            && RoutingPolicy.CompareInQueueOrder(other, self) < 0).ToList();
        var head = earlier.Count == 0 ? self : earlier.Aggregate(
            (first, second) => RoutingPolicy.CompareInQueueOrder(second, first) < 0 ? second : first);
        return new QueuePlace(self, head, earlier.Count, Math.Max(list.Count, earlier.Count + 1));
    }
}
