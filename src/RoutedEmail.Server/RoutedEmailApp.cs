using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Cluster;
using RoutedEmail.Server.Events;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Hubs;
using RoutedEmail.Server.Ingest;
using RoutedEmail.Server.Integrator;
using RoutedEmail.Server.Keys;
using RoutedEmail.Server.Limits;
using RoutedEmail.Server.Reports;
using RoutedEmail.Server.Retention;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;
using RoutedEmail.Server.Supervisors;
using RoutedEmail.Server.Telemetry;
using RoutedEmail.Server.Users;
using RoutedEmail.Server.Webhooks;
using RoutedEmail.Storage;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server;

/// <summary>Builds the service: its settings, services and endpoints. Tests build it the same way.</summary>
public static class RoutedEmailApp
{
    /// <summary>The category of ASP.NET Core's request start and finish lines, kept at Warning and above.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Creates the application from command-line arguments and the usual configuration sources.</summary>
    /// <param name="args">Command-line arguments, such as <c>--urls</c> and <c>--Storage:DataDirectory</c>.</param>
    /// <param name="configure">Changes applied to the builder before it is built, used by tests.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        ThreadPoolFloor.Apply(builder.Configuration);
        AddServices(builder);
        configure?.Invoke(builder);

        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidatedOptions<IngestOptions>(builder, IngestOptions.SectionName,
            options => options.IdempotencyWindow > TimeSpan.Zero, "Ingest:IdempotencyWindow");
        AddValidatedOptions<AgentOptions>(builder, AgentOptions.SectionName,
            options => options.SessionLifetime > TimeSpan.Zero, "Agents:SessionLifetime");
        AddValidatedOptions<AgentOptions>(builder, AgentOptions.SectionName,
            options => options.RestInactivityTimeout > TimeSpan.Zero, "Agents:RestInactivityTimeout");
        AddValidatedOptions<AgentOptions>(builder, AgentOptions.SectionName,
            options => options.HubDisconnectTimeout > TimeSpan.Zero, "Agents:HubDisconnectTimeout");
        AddValidatedOptions<UserSignInOptions>(builder, UserSignInOptions.SectionName,
            options => options.SessionLifetime > TimeSpan.Zero, "Users:SessionLifetime");
        AddValidatedOptions<UserSignInOptions>(builder, UserSignInOptions.SectionName,
            options => options.FailureWindow > TimeSpan.Zero, "Users:FailureWindow");
        builder.Services.AddOptions<UserSignInOptions>()
            .Validate(options => options.FailureLimitPerUser > 0 && options.FailureLimitPerClient > 0,
                "Users:FailureLimitPerUser or Users:FailureLimitPerClient is out of range. Set each to a whole " +
                "number of at least 1, such as the defaults 5 and 20.");
        KeyServices.AddTo(builder);
        AddValidatedOptions<NodeOptions>(builder, NodeOptions.SectionName,
            options => options.HeartbeatInterval > TimeSpan.Zero, "Nodes:HeartbeatInterval");
        builder.Services.AddOptions<NodeOptions>()
            .Validate(options => options.NodeTimeout >= 2 * options.HeartbeatInterval,
                "Nodes:NodeTimeout is shorter than twice Nodes:HeartbeatInterval, so a node could be removed while " +
                "it runs. Set it to at least twice the interval, such as 00:00:30 with the default 00:00:05.");
        services.Configure<AdminOptions>(builder.Configuration.GetSection(AdminOptions.SectionName));
        RoutingOptions.AddTo(builder);
        ProxyHeaders.AddTo(builder);
        ServiceLimits.AddTo(builder);
        services.AddSingleton(TimeProvider.System);

        // ASP.NET Core's request lines contain the query string, where a browser's hub connection sends its
        // session token as access_token. This rule comes after the configured ones, so it wins over a setting
        // for the same category, and only a provider-specific setting can log those lines again.
        builder.Logging.AddFilter(RequestLogCategory, level => level >= LogLevel.Warning);
        services.AddRoutedEmailStorage(builder.Configuration);

        // The startup gate runs first, so storage is migrated before any other hosted service touches it.
        services.AddSingleton<AdminToken>();
        services.AddSingleton<StartupGate>();
        services.AddSingleton<StorageFailures>();
        services.AddHostedService(provider => provider.GetRequiredService<StartupGate>());
        services.AddSingleton<RoutingService>();
        services.AddSingleton<IRoutingTrigger>(provider => provider.GetRequiredService<RoutingService>());
        services.AddSingleton<IArrivalRouting>(provider => provider.GetRequiredService<RoutingService>());
        services.AddHostedService(provider => provider.GetRequiredService<RoutingService>());
        services.AddSingleton<DeadlineSignal>();
        builder.AddAgentHub();
        services.TryAddSingleton<IAgentNotifier, NoAgentNotifier>();
        services.AddHostedService<DeadlineService>();
        services.AddSingleton<NodeIdentity>();
        services.AddHostedService<NodeHeartbeatService>();
        builder.AddCluster();
        builder.AddSupervisorDashboard();
        builder.AddTelemetry();
        builder.AddWebhooks();
        RetentionOptions.AddTo(builder);
        services.AddSingleton<RetentionService>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionService>());

        services.AddSingleton<IntegratorAuthenticator>();
        services.AddSingleton<AgentActions>();
        services.AddSingleton<AgentActivityRecorder>();
        // One hasher for agents and users, which share one password per user id.
        services.AddSingleton<IPasswordHasher<AgentAccount>, PasswordHasher<AgentAccount>>();
        services.AddSingleton<SignInFailureLimiter>();
        services.AddSingleton<UserLifecycle>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminAuthenticationHandler>(AuthNames.AdminScheme, null)
            .AddScheme<AuthenticationSchemeOptions, AgentAuthenticationHandler>(AuthNames.AgentScheme, null)
            .AddScheme<AuthenticationSchemeOptions, UserAuthenticationHandler>(AuthNames.UserScheme, null)
            .AddPolicyScheme(AuthNames.AdminOrUserScheme, null,
                options => options.ForwardDefaultSelector = AuthNames.SelectAdminOrUserScheme);
        services.AddSingleton<IAuthorizationHandler, TenantAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthNames.AdminPolicy, policy => policy
                .AddAuthenticationSchemes(AuthNames.AdminOrUserScheme).RequireAuthenticatedUser()
                .AddRequirements(new TenantAccessRequirement()))
            .AddPolicy(AuthNames.AgentPolicy, policy => policy
                .AddAuthenticationSchemes(AuthNames.AgentScheme).RequireAuthenticatedUser())
            .AddPolicy(AuthNames.UserPolicy, policy => policy
                .AddAuthenticationSchemes(AuthNames.UserScheme).RequireAuthenticatedUser());

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Routing rejects a body without a JSON content type with a bare 415, so the fix is named here.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= "Send the request body as JSON with Content-Type: application/json.";
            }
        });

        // Binding failures throw, so that BadRequestProblemHandler can name the field that could not be read.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblemHandler>();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            options.SerializerOptions.Converters.Add(new StoredTextConverter());

            // As strict as ingest: a repeated property or a number sent as a string is an error, not a guess.
            options.SerializerOptions.AllowDuplicateProperties = false;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddOpenApi(options => options.AddOperationTransformer(IngestOpenApi.DescribeAsync));
        builder.AddWebUi();
    }

    /// <summary>
    /// Binds an options section and checks it when the service starts, so that a bad value stops the start with a
    /// message naming the setting, instead of failing later requests.
    /// </summary>
    private static void AddValidatedOptions<TOptions>(
        WebApplicationBuilder builder, string sectionName, Func<TOptions, bool> isValid, string setting)
        where TOptions : class
    {
        builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(sectionName))
            .Validate(isValid, $"{setting} is out of range. Set a positive time span such as 1.00:00:00 (one day).")
            .ValidateOnStart();
    }

    private static void MapEndpoints(WebApplication app)
    {
        ProxyHeaders.Use(app);
        app.UseSecurityHeaders();
        app.UseProbesAndMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        ServiceLimits.Use(app);
        app.UseNotReadyResponses();
        app.UseAgentHub();
        app.UseSupervisorHub();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapIngest();
        app.MapRoutedEmails();
        app.MapAgentApi();
        app.MapAgentDesktop();
        app.MapUserSignIn();
        app.MapAgentHub();
        app.MapSupervisorHub();

        var admin = app.MapGroup("/api/v1").WithTags("Admin").RequireAuthorization(AuthNames.AdminPolicy);
        admin.MapTenants();
        var tenant = admin.MapGroup("/tenants/{company}/{environment}").RequireTenant();
        tenant.MapWorkCodeGroups();
        tenant.MapAwayReasons();
        tenant.MapAwayTimeReport();
        tenant.MapIntervalReports();
        tenant.MapSkillQueues();
        tenant.MapConfigurations();
        tenant.MapAgentAdministration();
        tenant.MapExplanationAdministration();
        tenant.MapUsers();
        tenant.MapLifecycle();
        tenant.MapSupervisorActions();
        tenant.MapDashboard();
        tenant.MapEventFeed();
        tenant.MapWebhooks();
        tenant.MapRetention();

        app.MapReadiness();
        app.MapWebUi();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.SwaggerEndpoint("/openapi/v1.json", "RoutedEmail API v1");
        });
    }
}
