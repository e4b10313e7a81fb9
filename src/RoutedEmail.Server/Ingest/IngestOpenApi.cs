using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RoutedEmail.Server.Ingest;

/// <summary>
/// Describes the ingest request body and responses in the OpenAPI document. The endpoint reads its body itself, because
/// declaring it through <c>Accepts</c> would make routing reject requests without a JSON content type.
/// </summary>
internal static class IngestOpenApi
{
    /// <summary>One request object of the ingest body, as the OpenAPI document shows it.</summary>
    /// <param name="Platform">Always <c>AWS Connect</c>.</param>
    /// <param name="CompanyCode">The tenant's company code, as in the X-sc-company-code header.</param>
    /// <param name="Environment">The tenant's environment, as in the X-sc-company-environment header.</param>
    /// <param name="OwnerId">Selects the routed email configuration, and so the skill queue.</param>
    /// <param name="EntityId">The CRM's identifier of the email; a re-send with the same value is a retry.</param>
    /// <param name="FromAddress">The original sender, shown to the agent.</param>
    /// <param name="ToAddress">The original recipient, shown to the agent.</param>
    /// <param name="Subject">The subject line, shown to the agent.</param>
    /// <param name="Attributes">Up to 10 key and value pairs for screen pops.</param>
    internal sealed record IngestItem(
        string Platform, string CompanyCode, string Environment, string OwnerId, string EntityId,
        string FromAddress, string ToAddress, string Subject, IReadOnlyList<IngestAttribute>? Attributes = null);

    /// <summary>One attribute of an ingest item.</summary>
    /// <param name="Key">The attribute name, unique within the item.</param>
    /// <param name="Value">The attribute value.</param>
    internal sealed record IngestAttribute(string Key, string Value);

    /// <summary>The ingest response body, for success and failure.</summary>
    /// <param name="ResponseEnum"><c>SUCCESS</c> or <c>ERROROCCURRED</c>.</param>
    /// <param name="ErrorMessage">Null on success; otherwise names the item, the field, the rule and the fix.</param>
    internal sealed record IngestResponseBody(string ResponseEnum, string? ErrorMessage);

    /// <summary>Marks the ingest endpoint for <see cref="DescribeAsync"/>.</summary>
    internal sealed class Marker;

    public static async Task DescribeAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<Marker>().Any())
        {
            return;
        }

        var items = await context.GetOrCreateSchemaAsync(typeof(IngestItem[]), null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "A JSON array of routed email requests, at most 1000, in at most 8 MiB.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = items } },
        };

        var responseBody = await context.GetOrCreateSchemaAsync(typeof(IngestResponseBody), null, cancellationToken);
        operation.Responses = new OpenApiResponses();
        foreach (var (status, description) in Responses)
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = responseBody } },
            };
        }
    }

    private static readonly (string Status, string Description)[] Responses =
    [
        ("200", "Every item is queued, or was already received under the same entityId."),
        ("400", "A header or the body is invalid; nothing was queued."),
        ("401", "The API key is missing or not valid for the company code and environment."),
        ("403", "An item names another tenant than the headers; nothing was queued."),
        ("413", "The body is larger than Ingest:MaxBodyBytes, 8 MiB by default."),
        ("415", "The body declares a charset other than UTF-8."),
        ("429", "Too many requests for this tenant and API key (see Retry-After), or too many rejected API keys " +
            "from this client address (with a WWW-Authenticate: ApiKey header); nothing was queued."),
    ];
}
