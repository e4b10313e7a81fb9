using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Agents;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Routing;

namespace RoutedEmail.Server.Hubs;

/// <summary>Registers and maps the agent hub, its query-string token and its CORS policy.</summary>
internal static class AgentHubSetup
{
    /// <summary>Adds the hub and its notifier. Call it before the no-op notifier is registered, so this one wins.</summary>
    public static void AddAgentHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentHubOptions>().Bind(builder.Configuration.GetSection(AgentHubOptions.SectionName));
        services.AddSingleton<IValidateOptions<AgentHubOptions>, AgentHubOptionsValidator>();
        services.AddOptions<AgentHubOptions>().ValidateOnStart();
        services.AddCors();
        services.AddSingleton<TenantOriginCache>();
        services.AddSingleton<AgentHubOrigins>();
        services.Replace(ServiceDescriptor.Transient<ICorsPolicyProvider, AgentHubCorsPolicyProvider>());

        services.AddSignalR().AddJsonProtocol(options =>
        {
            // The same JSON as the REST API, so a work snapshot reads the same on both.
            var json = options.PayloadSerializerOptions;
            json.Converters.Add(new JsonStringEnumConverter());
            json.Converters.Add(new StoredTextConverter());
            json.AllowDuplicateProperties = false;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<HubAgentNotifier>();
        services.AddSingleton<IAgentNotifier>(provider => provider.GetRequiredService<HubAgentNotifier>());
    }

    /// <summary>
    /// Adds the middleware the hub needs before authentication: CORS, and the token from the query string.
    /// Browsers cannot set a header on a WebSocket or an EventSource request, so the SignalR clients send the
    /// token as <c>access_token</c> there. It is accepted on the hub path only, because query strings end up in
    /// logs and browser history more easily than headers.
    /// </summary>
    public static void UseAgentHub(this WebApplication app)
    {
        app.UseCors();
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments(AgentHubProtocol.Path)
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
    /// Maps the hub with its CORS policy. Each hub endpoint (negotiate and connect) first checks the request's
    /// origin against the agent's tenant, which needs the agent's claims, so it runs after authorization.
    /// </summary>
    public static void MapAgentHub(this IEndpointRouteBuilder endpoints)
    {
        var hub = endpoints.MapHub<AgentHub>(AgentHubProtocol.Path).RequireCors(AgentHubCorsPolicyProvider.PolicyName);
        hub.Finally(endpoint =>
        {
            var next = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context =>
                context.RequestServices.GetRequiredService<AgentHubOrigins>().CheckRequestAsync(context, next);
        });
    }

    /// <summary>Rejects an allowed origin that is not a scheme, host and optional port.</summary>
    private sealed class AgentHubOptionsValidator : IValidateOptions<AgentHubOptions>
    {
        public ValidateOptionsResult Validate(string? name, AgentHubOptions options)
        {
            var invalid = options.AllowedOrigins.Where(origin => !CorsOrigin.TryNormalize(origin, out _)).ToList();
            return invalid.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(invalid.Select(origin =>
                    $"AgentHub:AllowedOrigins contains \"{origin}\", which is not an origin. Use a scheme, host and " +
                    "optional port without a path, such as https://desktop.example.com; '*' is not allowed."));
        }
    }
}
