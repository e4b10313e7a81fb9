namespace RoutedEmail.Server.Telemetry;

/// <summary>Telemetry settings, bound from the <c>Telemetry</c> configuration section.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>The shortest accepted <see cref="MetricsToken"/>, in characters.</summary>
    public const int MinTokenLength = 32;

    /// <summary>
    /// The OTLP exporter of traces, metrics and logs. Default: no endpoint, so nothing is exported. The variable
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> alone does not switch it on.
    /// </summary>
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>
    /// The bearer token that a scraper of <c>/metrics</c> must send, at least <see cref="MinTokenLength"/> characters.
    /// Default: none, and then only requests from a loopback address that carry no forwarding header may scrape.
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>
    /// Seconds for which the queue gauges reuse one database read, so that frequent scrapes do not query the database
    /// each time. Default: 5. Range: 0 (read at every scrape) to 300.
    /// </summary>
    public int QueueCacheSeconds { get; set; } = 5;

    /// <summary>Checks the section and returns the first error as a message naming the setting and the fix.</summary>
    internal string? Validate()
    {
        if (QueueCacheSeconds is < 0 or > 300)
        {
            return $"Telemetry:QueueCacheSeconds is {QueueCacheSeconds}, which is out of range. Set 0 to 300 seconds.";
        }

        if (MetricsToken is { } token && (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace)))
        {
            return $"Telemetry:MetricsToken is shorter than {MinTokenLength} characters or contains spaces. Set a " +
                   "longer random token, or unset it to allow scrapes from this host only.";
        }

        return Otlp.Validate();
    }
}

/// <summary>The OTLP exporter settings, in the <c>Telemetry:Otlp</c> section.</summary>
public sealed class OtlpOptions
{
    /// <summary>
    /// The collector's base URL, such as <c>http://127.0.0.1:4318</c>. With <c>http/protobuf</c> the exporter appends
    /// <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>. Default: none, and nothing is exported.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The OTLP transport: <c>http/protobuf</c> (the default) or <c>grpc</c>.</summary>
    public string Protocol { get; set; } = HttpProtobuf;

    /// <summary>
    /// Extra headers of every export request, such as a collector's access token, in the form of
    /// <c>OTEL_EXPORTER_OTLP_HEADERS</c>: <c>key=value</c> pairs separated by commas, with percent-encoded values,
    /// such as <c>authorization=Bearer%20abc,x-tenant=acme</c>. With <c>grpc</c> they are sent as gRPC metadata.
    /// Default: none. The service never logs the value, and its start errors name entries only by position.
    /// </summary>
    public string? Headers { get; set; }

    internal const string HttpProtobuf = "http/protobuf";

    internal const string Grpc = "grpc";

    /// <summary>The endpoint as an absolute URL, or null when the exporter is off.</summary>
    internal Uri? EndpointUri =>
        string.IsNullOrWhiteSpace(Endpoint) ? null : new Uri(Endpoint, UriKind.Absolute);

    internal string? Validate()
    {
        if (!string.IsNullOrWhiteSpace(Endpoint)
            && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            return $"Telemetry:Otlp:Endpoint is \"{Endpoint}\", which is not an http or https URL. Set the " +
                   "collector's base URL, such as http://127.0.0.1:4318, or unset it to export nothing.";
        }

        if (Protocol is not (HttpProtobuf or Grpc))
        {
            return $"Telemetry:Otlp:Protocol is \"{Protocol}\", which is not supported. Set \"{HttpProtobuf}\" " +
                   $"(the default) or \"{Grpc}\".";
        }

        return string.IsNullOrWhiteSpace(Headers) ? null : OtlpHeaders.Validate(Headers);
    }
}
