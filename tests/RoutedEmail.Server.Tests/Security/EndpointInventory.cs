using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>One HTTP method on one route pattern of the running service, such as <c>GET /api/v1/tenants</c>.</summary>
public sealed record EndpointRoute(string Method, string Pattern)
{
    /// <summary>The method for a route that accepts every method, such as a hub's connection route.</summary>
    public const string AnyMethod = "*";

    public override string ToString() => $"{Method} {Pattern}";
}

/// <summary>Lists the routes of a running service from its <see cref="EndpointDataSource"/>.</summary>
public static class EndpointInventory
{
    /// <summary>
    /// Returns every method and route pattern that the service maps, except the web UI's static files, which
    /// <see cref="IsStaticFile"/> recognises.
    /// </summary>
    public static IReadOnlyList<EndpointRoute> ListRoutes(IServiceProvider services)
    {
        var source = services.GetRequiredService<EndpointDataSource>();
        var routes = new SortedSet<EndpointRoute>(Comparer<EndpointRoute>.Create(
            (left, right) => string.CompareOrdinal(left.ToString(), right.ToString())));
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (IsStaticFile(pattern))
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            foreach (var method in methods is { Count: > 0 } ? methods : [EndpointRoute.AnyMethod])
            {
                routes.Add(new EndpointRoute(method, pattern));
            }
        }

        return [.. routes];
    }

    /// <summary>
    /// Recognises a file of the web UI that MapStaticAssets maps, such as <c>/_framework/dotnet.js</c>: a pattern
    /// without parameters outside the API and hub paths whose last segment has a file extension.
    /// </summary>
    public static bool IsStaticFile(string pattern)
    {
        if (pattern.Contains('{', StringComparison.Ordinal)
            || pattern.StartsWith("/api/", StringComparison.Ordinal)
            || pattern.StartsWith("/hubs/", StringComparison.Ordinal)
            || pattern.StartsWith("/symbee-", StringComparison.Ordinal))
        {
            return false;
        }

        var lastSegment = pattern[(pattern.LastIndexOf('/') + 1)..];
        return lastSegment.Contains('.', StringComparison.Ordinal);
    }
}
