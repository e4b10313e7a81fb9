namespace RoutedEmail.Client;

/// <summary>
/// One routed email to queue: which routed email configuration routes it (<see cref="OwnerId"/>), the id that
/// identifies it in your system (<see cref="EntityId"/>), what is shown to the agent, and optional attributes. The
/// client adds the platform, company code and environment from its options.
/// </summary>
/// <remarks>
/// The constructor applies every rule the service checks on a single request, so an instance is always valid.
/// The service may still reject it for reasons that depend on its data, such as an owner id without an enabled
/// routed email configuration.
/// </remarks>
public sealed class RoutedEmailRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="ownerId">The owner id of the routed email configuration: not blank, no control characters, at
    /// most 255 characters.</param>
    /// <param name="entityId">Your id of the email: not blank, no control characters, at most 255 characters.
    /// Sending the same entity id again is a retry and changes nothing.</param>
    /// <param name="fromAddress">The original From address, shown to the agent, at most 998 characters.</param>
    /// <param name="toAddress">The original To address, shown to the agent, at most 998 characters.</param>
    /// <param name="subject">The subject, shown to the agent, at most 998 characters.</param>
    /// <param name="attributes">Up to 10 attributes with distinct keys, or null for none.</param>
    /// <exception cref="ArgumentException">A value breaks one of the rules above.</exception>
    public RoutedEmailRequest(
        string ownerId,
        string entityId,
        string fromAddress,
        string toAddress,
        string subject,
        IEnumerable<RoutedEmailAttribute>? attributes = null)
    {
        RequestLimits.CheckId(ownerId, nameof(ownerId));
        RequestLimits.CheckId(entityId, nameof(entityId));
        CheckDisplay(fromAddress, nameof(fromAddress));
        CheckDisplay(toAddress, nameof(toAddress));
        CheckDisplay(subject, nameof(subject));
        OwnerId = ownerId;
        EntityId = entityId;
        FromAddress = fromAddress;
        ToAddress = toAddress;
        Subject = subject;
        Attributes = CheckAttributes(attributes);
    }

    /// <summary>The owner id that selects the routed email configuration and so the skill queue.</summary>
    public string OwnerId { get; }

    /// <summary>Your id of the email, which makes a re-send a retry.</summary>
    public string EntityId { get; }

    /// <summary>The original From address.</summary>
    public string FromAddress { get; }

    /// <summary>The original To address.</summary>
    public string ToAddress { get; }

    /// <summary>The subject.</summary>
    public string Subject { get; }

    /// <summary>The attributes, at most <see cref="RequestLimits.MaxAttributes"/>, with distinct keys.</summary>
    public IReadOnlyList<RoutedEmailAttribute> Attributes { get; }

    private static void CheckDisplay(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        RequestLimits.CheckLength(value, RequestLimits.MaxDisplayLength, name);
    }

    private static RoutedEmailAttribute[] CheckAttributes(IEnumerable<RoutedEmailAttribute>? attributes)
    {
        var list = attributes?.ToArray() ?? [];
        if (list.Length > RequestLimits.MaxAttributes)
        {
            throw new ArgumentException(
                $"The request has {list.Length} attributes, more than the maximum " +
                $"{RequestLimits.MaxAttributes}. Send at most {RequestLimits.MaxAttributes}.",
                nameof(attributes));
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in list)
        {
            ArgumentNullException.ThrowIfNull(attribute, nameof(attributes));
            if (!keys.Add(attribute.Key))
            {
                throw new ArgumentException(
                    $"The attribute key '{attribute.Key}' appears twice. Give each attribute its own key.",
                    nameof(attributes));
            }
        }

        return list;
    }
}
