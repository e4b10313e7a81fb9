namespace RoutedEmail.Core.Ingest;

/// <summary>Why an ingest request was rejected.</summary>
/// <param name="ItemIndex">The zero-based index of the offending item, or null when the request as a whole is bad.</param>
/// <param name="Field">The offending field, or null when no single field is at fault.</param>
/// <param name="Message">A sentence that names the value, the rule and the fix. It never contains a key.</param>
public sealed record IngestError(int? ItemIndex, string? Field, string Message);
