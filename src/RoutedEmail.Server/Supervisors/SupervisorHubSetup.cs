using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Routing;
using RoutedEmail.Server.Security;

namespace RoutedEmail.Server.Supervisors;

/// <summary>Registers the dashboard's background services and the supervisor hub, and maps the hub.</summary>
internal static class SupervisorHubSetup
{
    /// <summary>
    /// Adds the options, the sampler, the signal and the hub, and wraps the agent notifier and the routing trigger
    /// so that both also signal the supervisors. Call it after the agent hub and the cluster are added, because it
    /// wraps their registrations.
    /// </summary>
    public static void AddSupervisorDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        DashboardOptions.AddTo(builder);
        services.AddSingleton<DashboardSampler>();
        services.AddHostedService(provider => provider.GetRequiredService<DashboardSampler>());
        services.AddSingleton<SupervisorSignal>();
        services.AddHostedService(provider => provider.GetRequiredService<SupervisorSignal>());
        Decorate<IAgentNotifier>(services, (inner, signal) => new SignalingAgentNotifier(inner, signal));
        Decorate<IRoutingTrigger>(services, (inner, signal) => new SignalingRoutingTrigger(inner, signal));
    }

    /// <summary>
    /// Moves the token of a WebSocket or server-sent events request from the query string into the
    /// <c>Authorization</c> header on the hub's path only, as the agent hub does, because browsers cannot set a
    /// header on those requests. Call it before authentication.
    /// </summary>
    public static void UseSupervisorHub(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments(SupervisorHub.PathPrefix)
                && string.IsNullOrEmpty(request.Headers.Authorization)
                && request.Query.TryGetValue("access_token", out var token)
                && !string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = "Bearer " + token;
            }

            return next(context);
        });
    }

    /// <summary>
    /// Maps the hub with the admin API's policy, open to Supervisors. The web UI is served from the same origin, so
    /// the hub has no CORS policy.
    /// </summary>
    public static void MapSupervisorHub(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<SupervisorHub>(SupervisorHub.Route)
            .RequireAuthorization(AuthNames.AdminPolicy)
            .AllowSupervisor();
    }

    /// <summary>Replaces the last registration of the service with a wrapper around the instance it created.</summary>
    private static void Decorate<TService>(
        IServiceCollection services, Func<TService, SupervisorSignal, TService> wrap)
        where TService : class
    {
        var inner = services.Last(descriptor => descriptor.ServiceType == typeof(TService));
        services.Remove(inner);
        services.AddSingleton(provider => wrap(
            (TService)CreateInstance(provider, inner), provider.GetRequiredService<SupervisorSignal>()));
    }

    private static object CreateInstance(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
