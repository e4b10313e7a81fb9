using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RoutedEmail.Client;

/// <summary>
/// A client of the ingest and integrator APIs: sends routed emails, looks them up, cancels them and explains
/// where they are. Each request carries the tenant headers and an API key from an <see cref="IApiKeySource"/>.
/// After an HTTP 401 the client asks the source for a new key once and repeats the request with it.
/// </summary>
/// <remarks>
/// Create it through <c>services.AddRoutedEmailClient(...)</c>, which adds retries of transient failures that
/// honour <c>Retry-After</c>. Every request this client makes is safe to repeat: a send is idempotent by entity
/// id, lookups are reads, and cancelling a cancelled email returns it again.
/// </remarks>
public sealed partial class RoutedEmailClient
{
    /// <summary>The ingest path, as the Generic Routed Email API defines it.</summary>
    public const string IngestPath =
        "symbee-crm-integration-service/svc/rs/SymbeeRoutedEmailService/sendRoutedEmail";

    /// <summary>The platform code the service expects in headers and items.</summary>
    public const string PlatformCode = "AWS Connect";

    private const string RoutedEmailsPath = "api/v1/routed-emails";

    private readonly HttpClient _httpClient;
    private readonly IApiKeySource _keys;
    private readonly RoutedEmailClientOptions _options;
    private readonly Uri _baseAddress;
    private readonly ILogger _logger;

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">Sends the requests; its handlers add retries when built by
    /// <c>AddRoutedEmailClient</c>.</param>
    /// <param name="apiKeySource">Provides the API key.</param>
    /// <param name="options">The service address and the tenant.</param>
    /// <param name="logger">Receives retries after a rejected key, with the company code and environment.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RoutedEmailClient(
        HttpClient httpClient,
        IApiKeySource apiKeySource,
        RoutedEmailClientOptions options,
        ILogger<RoutedEmailClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(apiKeySource);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _httpClient = httpClient;
        _keys = apiKeySource;
        _options = options;
        _baseAddress = options.ResolveBaseAddress();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The address requests go to.</summary>
    public Uri BaseAddress => _baseAddress;

    /// <summary>Queues one routed email. Sending the same entity id again succeeds and changes nothing.</summary>
    /// <param name="request">The email.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="RoutedEmailException">The service rejected the request, or no response came. Nothing was
    /// queued.</exception>
    public Task SendAsync(RoutedEmailRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync([request], cancellationToken);
    }

    /// <summary>
    /// Queues a batch of routed emails, all or none. Each entity id that was received before succeeds and
    /// changes nothing, so the whole batch can be sent again after a failure.
    /// </summary>
    /// <param name="requests">1 to 1000 emails.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ArgumentException">The batch is empty or has more than 1000 emails.</exception>
    /// <exception cref="RoutedEmailException">The service rejected the batch, or no response came. Nothing of the
    /// batch was queued.</exception>
    public async Task SendAsync(
        IReadOnlyCollection<RoutedEmailRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count is 0 or > RequestLimits.MaxBatchSize)
        {
            throw new ArgumentException(
                $"The batch has {requests.Count} emails. Send 1 to {RequestLimits.MaxBatchSize} per call.",
                nameof(requests));
        }

        var body = IngestJson.Write(requests, _options.CompanyCode, _options.Environment);
        using var response = await SendWithKeyAsync(
            "send", () => NewRequest(HttpMethod.Post, IngestPath, body), cancellationToken).ConfigureAwait(false);
        await IngestJson.CheckResponseAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the newest routed email of an entity id.</summary>
    /// <param name="entityId">The entity id it was sent with.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The email, or null when this tenant has none with that entity id.</returns>
    /// <exception cref="RoutedEmailException">The service rejected the request, or no response came.</exception>
    public async Task<RoutedEmailDetails?> FindAsync(string entityId, CancellationToken cancellationToken = default)
    {
        using var response = await SendWithKeyAsync(
            "get", () => NewRequest(HttpMethod.Get, EntityPath(entityId, null), null), cancellationToken)
            .ConfigureAwait(false);
        return await ReadOptionalAsync<RoutedEmailDetails>(response, "get", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels the newest routed email of an entity id in any open state. Cancelling it again returns it again.
    /// </summary>
    /// <param name="entityId">The entity id it was sent with.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The cancelled email.</returns>
    /// <exception cref="RoutedEmailException">No such email (404), it is completed (409), the service rejected
    /// the request, or no response came.</exception>
    public async Task<RoutedEmailDetails> CancelAsync(string entityId, CancellationToken cancellationToken = default)
    {
        using var response = await SendWithKeyAsync(
            "cancel", () => NewRequest(HttpMethod.Delete, EntityPath(entityId, null), null), cancellationToken)
            .ConfigureAwait(false);
        return await ReadRequiredAsync<RoutedEmailDetails>(response, "cancel", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Explains where the newest routed email of an entity id is and why.</summary>
    /// <param name="entityId">The entity id it was sent with.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The explanation, or null when this tenant has no email with that entity id.</returns>
    /// <exception cref="RoutedEmailException">The service rejected the request, or no response came.</exception>
    public async Task<RoutedEmailExplanation?> ExplainAsync(
        string entityId, CancellationToken cancellationToken = default)
    {
        using var response = await SendWithKeyAsync(
            "explain", () => NewRequest(HttpMethod.Get, EntityPath(entityId, "explanation"), null),
            cancellationToken).ConfigureAwait(false);
        return await ReadOptionalAsync<RoutedEmailExplanation>(response, "explain", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the path of an entity id. Ids that a path segment cannot carry (<c>.</c>, <c>..</c>, or any with
    /// <c>/</c>) use the query form, which the service accepts for every id.
    /// </summary>
    private static string EntityPath(string entityId, string? suffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(entityId);
        var usesQuery = entityId is "." or ".." || entityId.Contains('/', StringComparison.Ordinal)
            || entityId.Contains('\\', StringComparison.Ordinal);
        if (usesQuery)
        {
            var prefix = suffix is null ? RoutedEmailsPath : $"{RoutedEmailsPath}/{suffix}";
            return $"{prefix}?entityId={Uri.EscapeDataString(entityId)}";
        }

        var path = $"{RoutedEmailsPath}/{Uri.EscapeDataString(entityId)}";
        return suffix is null ? path : $"{path}/{suffix}";
    }
}
