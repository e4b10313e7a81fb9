using RoutedEmail.Core.Emails;

namespace RoutedEmail.Core.Ingest;

/// <summary>One item of an ingest batch, after parsing and validation.</summary>
/// <param name="Platform">The platform code, always <c>AWS Connect</c>.</param>
/// <param name="CompanyCode">The tenant's company alias.</param>
/// <param name="Environment">The tenant's environment name.</param>
/// <param name="OwnerId">The key of the routed email configuration that picks the skill queue.</param>
/// <param name="EntityId">The client's identifier of the request; a re-send with the same value is a retry.</param>
/// <param name="FromAddress">The original sender, shown to the agent.</param>
/// <param name="ToAddress">The original recipient, shown to the agent.</param>
/// <param name="Subject">The email subject line, shown to the agent.</param>
/// <param name="Attributes">Up to <see cref="IngestLimits.MaxAttributes"/> attributes, in the order sent.</param>
public sealed record RoutedEmailRequest(
    string Platform,
    string CompanyCode,
    string Environment,
    string OwnerId,
    string EntityId,
    string FromAddress,
    string ToAddress,
    string Subject,
    IReadOnlyList<EmailAttribute> Attributes);
