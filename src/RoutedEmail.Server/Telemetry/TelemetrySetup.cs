using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Routing;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sqlite;

namespace RoutedEmail.Server.Telemetry;

/// <summary>
/// Registers OpenTelemetry, the instrumented stores, and the probes <c>/livez</c> and <c>/healthz</c>. Metrics are
/// always collected, for <c>/metrics</c>. Traces and the OTLP exporter are added only when
/// <c>Telemetry:Otlp:Endpoint</c> is set.
/// </summary>
internal static class TelemetrySetup
{
    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The liveness probe's path: 200 while the process serves HTTP, with no database access.</summary>
    public const string LivenessPath = "/livez";

    /// <summary>The readiness probe's path: 200 while <see cref="ReadinessCheck"/> passes.</summary>
    public const string ReadinessPath = "/healthz";

    /// <summary>The <c>service.name</c> resource attribute of every exported signal.</summary>
    public const string ServiceName = "routed-email";

    /// <summary>The OpenTelemetry SDK's configuration key of the OTLP exporter's headers for every signal.</summary>
    private const string OtlpHeadersKey = "OTEL_EXPORTER_OTLP_HEADERS";

    /// <summary>
    /// Adds the telemetry services and wraps the ingest store, the routing store and the agent notifier. Call it after
    /// the supervisor dashboard is added, because it wraps the notifier that the dashboard wrapped.
    /// </summary>
    /// <exception cref="InvalidOperationException">A <c>Telemetry</c> setting is invalid.</exception>
    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(TelemetryOptions.SectionName);
        var settings = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (settings.Validate() is { } error)
        {
            throw new InvalidOperationException(error);
        }

        var services = builder.Services;
        services.Configure<TelemetryOptions>(section);
        services.AddSingleton<RoutedEmailMetrics>();
        services.AddSingleton<TenantLabels>();
        services.AddSingleton<OfferPushClock>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<MetricsAccess>();
        Decorate<IIngestStore, InstrumentedIngestStore>(services);
        Decorate<IRoutingStore, InstrumentedRoutingStore>(services);
        Decorate<IArrivalRouting, InstrumentedArrivalRouting>(services);
        Decorate<IAgentNotifier, InstrumentedAgentNotifier>(services);
        services.AddHealthChecks().AddCheck<ReadinessCheck>("storage");

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(RoutedEmailMetrics.Name, SqliteDatabase.MeterName, "System.Runtime",
                    "Microsoft.AspNetCore.Server.Kestrel")
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (settings.Otlp.EndpointUri is not { } endpoint)
        {
            return;
        }

        // Spans cost something only while a listener exists, so they are collected only when they are exported.
        telemetry.WithTracing(tracing => tracing
            .AddAspNetCoreInstrumentation(options =>
                options.Filter = context => !IsProbeOrScrape(context.Request.Path))
            .AddSource(RoutedEmailMetrics.Name)
            .AddNpgsql());
        var protocol = settings.Otlp.Protocol == OtlpOptions.Grpc
            ? OtlpExportProtocol.Grpc
            : OtlpExportProtocol.HttpProtobuf;
        if (!string.IsNullOrWhiteSpace(settings.Otlp.Headers))
        {
            // UseOtlpExporter(protocol, endpoint) sets no headers, and the SDK reads its OTEL_* keys through
            // IConfiguration. A source added last wins, so this replaces the variable of the same name.
            builder.Configuration.AddInMemoryCollection(
                [new KeyValuePair<string, string?>(OtlpHeadersKey, settings.Otlp.Headers.Trim())]);
        }

        telemetry.UseOtlpExporter(protocol, endpoint);
    }

    /// <summary>
    /// Adds <c>/livez</c> and <c>/metrics</c> as middleware. Call it before the middleware that returns 503 while the
    /// store is not ready, because a liveness probe and a scrape must work then too.
    /// </summary>
    public static void UseProbesAndMetrics(this WebApplication app)
    {
        // The gauges exist from their first resolution, and a scrape alone does not resolve them.
        app.Services.GetRequiredService<QueueGauges>();
        app.UseHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null, predicate: context => context.Request.Path == MetricsPath, path: null,
            configureBranchedPipeline: branch => branch.Use(access.InvokeAsync), optionsName: null);
    }

    /// <summary>
    /// Maps <c>/healthz</c>. Its body is <c>Healthy</c>, <c>Degraded:</c> and the reason, or <c>Unhealthy:</c> and
    /// the reason with a <c>Retry-After</c> header.
    /// </summary>
    public static void MapReadiness(this WebApplication app)
    {
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                if (report.Status == HealthStatus.Healthy)
                {
                    await context.Response.WriteAsync(report.Status.ToString());
                    return;
                }

                // Degraded keeps its 200, and a client has nothing to retry then.
                if (report.Status == HealthStatus.Unhealthy)
                {
                    context.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds;
                }

                var reasons = report.Entries.Values.Select(entry => entry.Description).OfType<string>();
                await context.Response.WriteAsync($"{report.Status}: {string.Join(" ", reasons)}");
            },
        });
    }

    private static bool IsProbeOrScrape(PathString path) =>
        path == MetricsPath || path == LivenessPath || path == ReadinessPath;

    /// <summary>
    /// Replaces the last registration of the service with a <typeparamref name="TWrapper"/> around the instance it
    /// created. The wrapper's constructor takes that instance and other services.
    /// </summary>
    private static void Decorate<TService, TWrapper>(IServiceCollection services)
        where TService : class
        where TWrapper : TService
    {
        var inner = services.Last(descriptor => descriptor.ServiceType == typeof(TService));
        services.Remove(inner);
        services.AddSingleton<TService>(provider =>
            ActivatorUtilities.CreateInstance<TWrapper>(provider, (TService)Create(provider, inner)));
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
