namespace RoutedEmail.Core.Ingest;

/// <summary>The outcome of parsing an ingest body: either every request, or the first error found.</summary>
public sealed class IngestParseResult
{
    private IngestParseResult(IReadOnlyList<RoutedEmailRequest> requests, IngestError? error)
    {
        Requests = requests;
        Error = error;
    }

    /// <summary>The parsed requests, in body order; empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<RoutedEmailRequest> Requests { get; }

    /// <summary>The reason the body was rejected, or null when it is valid.</summary>
    public IngestError? Error { get; }

    /// <summary>Creates a successful result.</summary>
    public static IngestParseResult Success(IReadOnlyList<RoutedEmailRequest> requests) => new(requests, null);

    /// <summary>Creates a failed result.</summary>
    public static IngestParseResult Failure(IngestError error) => new([], error);
}
