using System.Text.RegularExpressions;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>Turns an enumerated route into a request: the path with its parameters filled in, and a body.</summary>
public static partial class RouteRequests
{
    /// <summary>
    /// Fills the route's parameters with tenant <paramref name="tenant"/>'s company code and environment and with
    /// the names of the objects that only tenant A has (see <see cref="SecurityWorld"/>), so the path names an
    /// existing object on tenant A's path and another tenant's object on any other tenant's path.
    /// </summary>
    public static string PathOf(EndpointRoute route, Infrastructure.Scenario tenant, long offerId = 1, long emailId = 1)
    {
        var path = Parameter().Replace(route.Pattern, match => Uri.EscapeDataString(
            ValueOf(route.Pattern, match.Groups["name"].Value, tenant, offerId, emailId)));
        return path switch
        {
            "/api/v1/routed-emails/" or "/api/v1/routed-emails/explanation" =>
                path + "?entityId=" + SecurityWorld.ForeignEntityId,
            _ when path.EndsWith("/negotiate", StringComparison.Ordinal) => path + "?negotiateVersion=1",
            _ => path,
        };
    }

    /// <summary>Returns the method to send: GET for a route that accepts any method, POST for a negotiate.</summary>
    public static string MethodOf(EndpointRoute route) => route.Method switch
    {
        EndpointRoute.AnyMethod when route.Pattern.EndsWith("/negotiate", StringComparison.Ordinal) => "POST",
        EndpointRoute.AnyMethod => "GET",
        _ => route.Method,
    };

    /// <summary>
    /// A valid body for the routes that read one, so that a request of a caller who passes authorization reaches
    /// the handler's own checks instead of failing to bind; null for the routes without a body.
    /// </summary>
    public static string? BodyOf(EndpointRoute route)
    {
        var pattern = route.Pattern;
        return (route.Method, Last(pattern)) switch
        {
            ("PUT", "status") when pattern.Contains("/tenants/", StringComparison.Ordinal) =>
                """{"status":"Offline"}""",
            ("PUT", "status") => """{"status":"Available"}""",
            ("PUT", "other-work") => """{"count":0}""",
            ("POST", "transfer") => """{"skillQueue":"Parts"}""",
            ("POST", "complete") => """{"workCode":"Resolved"}""",
            ("POST", "sign-in") => "{}",
            ("POST", "tenants") => """{"companyCode":"new-co","environment":"prod"}""",
            ("PUT", "{environment}") => "{}",
            ("PUT", "{group}") => """{"codes":["Resolved"]}""",
            ("PUT", "{code}") => """{"description":"Lunch"}""",
            ("PUT", "{queue}") => """{"workCodeGroups":["A-Group"]}""",
            ("PUT", "{ownerId}") => """{"skillQueue":"A-Queue"}""",
            ("PUT", "{agentId}") => """{"displayName":"Victim","maxConcurrentEmails":1,"skillQueues":[]}""",
            ("PUT", "{userId}") => """{"roles":["Supervisor"]}""",
            ("PUT", "{name}") when pattern.Contains("/webhooks/", StringComparison.Ordinal) =>
                """{"url":"http://127.0.0.1:9/hook","eventTypes":["*"]}""",
            ("POST", _) when pattern.StartsWith("/symbee-", StringComparison.Ordinal) => "[]",
            _ => null,
        };
    }

    /// <summary>
    /// Whether the route names an object of the tenant besides the tenant itself, and reads or changes that object
    /// rather than creating it, so that another tenant's name must get 404.
    /// </summary>
    public static bool NamesExistingObject(EndpointRoute route)
    {
        if (!route.Pattern.Contains("{company}", StringComparison.Ordinal)
            || route.Pattern.StartsWith("/hubs/", StringComparison.Ordinal))
        {
            return false;
        }

        var names = Parameter().Matches(route.Pattern).Select(match => match.Groups["name"].Value)
            .Where(name => name is not ("company" or "environment"));
        var isUpsert = route.Method == "PUT" && Last(route.Pattern).StartsWith('{');
        return names.Any() && !isUpsert;
    }

    private static string ValueOf(
        string pattern, string name, Infrastructure.Scenario tenant, long offerId, long emailId)
    {
        var segments = pattern.Split('/');
        var index = Array.IndexOf(segments, "{" + name + "}");
        var collection = index > 0 ? segments[index - 1] : string.Empty;
        return name switch
        {
            "company" => tenant.CompanyCode,
            "environment" => tenant.Environment,
            "queue" => "A-Queue",
            "group" => "A-Group",
            "code" => "a-away",
            "ownerId" => "A-Owner",
            "agentId" => "a-victim",
            "userId" => "a-user",
            "entityId" => SecurityWorld.ForeignEntityId,
            "offerId" => offerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "emailId" => emailId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "deliveryId" => "1",
            "documentName" => "v1",
            "page" => "missing-page",
            "path" => "missing.txt",
            "name" => collection switch
            {
                "skill-queues" => "A-Queue",
                "routed-email-configurations" => "A-Owner",
                "work-code-groups" => "A-Group",
                "away-reasons" => "a-away",
                "webhooks" => "a-hook",
                _ => throw new InvalidOperationException(
                    $"No test value for {{name}} under {collection} in {pattern}; add one here."),
            },
            _ => throw new InvalidOperationException($"No test value for {{{name}}} in {pattern}; add one here."),
        };
    }

    private static string Last(string pattern) => pattern[(pattern.LastIndexOf('/') + 1)..];

    /// <summary>A route parameter such as <c>{offerId:long}</c> or <c>{**page}</c>, with its name captured.</summary>
    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z]+)(:[^}]*)?\}")]
    private static partial Regex Parameter();
}
