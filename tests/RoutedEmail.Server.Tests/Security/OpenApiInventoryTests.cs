using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>The OpenAPI document lists every public route that the service maps, and no other.</summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed partial class OpenApiInventoryTests
{
    /// <summary>
    /// Routes that are not HTTP API operations and so stay out of the document: the hubs (SignalR, described in
    /// docs/agent-hub.md), the web UI's pages and files, the health check, the OpenAPI document itself, and the
    /// methods that the ingest path answers only with 405.
    /// </summary>
    private static readonly RouteAccess[] UndocumentedAccess =
        [RouteAccess.WebUi, RouteAccess.AgentHub, RouteAccess.SupervisorHub, RouteAccess.IngestOtherMethod];

    private static readonly string[] UndocumentedRoutes = ["* /healthz", "GET /openapi/{documentName}.json"];

    [Fact]
    public async Task OpenApiDocument_EnumeratedRoutes_MatchBothWays()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, _) in operations!.AsObject())
            {
                documented.Add($"{method.ToUpperInvariant()} {path}");
            }
        }

        var mapped = EndpointInventory.ListRoutes(server.Services)
            .Where(route => !UndocumentedRoutes.Contains(route.ToString()))
            .Where(route => !UndocumentedAccess.Contains(RouteAccessTable.Routes[route.ToString()]))
            .Select(route => $"{route.Method} {Normalize(route.Pattern)}")
            .ToHashSet(StringComparer.Ordinal);
        var missing = mapped.Where(route => !documented.Contains(route)).Order().ToList();
        var extra = documented.Where(route => !mapped.Contains(route)).Order().ToList();
        Assert.True(missing.Count == 0, "Routes missing from /openapi/v1.json: " + string.Join(", ", missing));
        Assert.True(extra.Count == 0,
            "/openapi/v1.json lists routes the service does not map: " + string.Join(", ", extra));
    }

    /// <summary>Writes a route pattern as the document does: without constraints or a trailing slash.</summary>
    private static string Normalize(string pattern)
    {
        var path = Constraint().Replace(pattern, "}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(":[^}]*\\}")]
    private static partial Regex Constraint();
}
