using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>A tenant's webhooks: <c>/api/v1/tenants/{company}/{environment}/webhooks</c>, for administrators.</summary>
internal static class WebhookEndpoints
{
    private const int MaxNameLength = 128;
    private const int MaxEventTypes = 50;

    public static void MapWebhooks(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/webhooks/{name}", PutAsync)
            .WithSummary("Creates or replaces a webhook; the answer shows the secret when this request set it.");
        tenant.MapGet("/webhooks/{name}", GetAsync).WithSummary("Reads a webhook, without its secret.");
        tenant.MapGet("/webhooks", ListAsync).WithSummary("Lists the tenant's webhooks, without their secrets.");
        tenant.MapDelete("/webhooks/{name}", DeleteAsync)
            .WithSummary("Deletes a webhook and its delivery records.");
        tenant.MapPost("/webhooks/{name}/rotate-secret", RotateSecretAsync)
            .WithSummary("Replaces the signing secret with a generated one and returns it.");
        tenant.MapWebhookDeliveries();
    }

    private static async Task<Results<Ok<WebhookResponse>, Created<WebhookResponse>, ValidationProblem>> PutAsync(
        HttpContext context, string name, WebhookRequest request, ClaimsPrincipal user, IWebhookStore store,
        IWebhookEventSource events, WebhookTargets targets, WebhookSignal signal, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var validation = Validate(name, request);
        if (validation.IsValid && await targets.CheckUrlAsync(request.Url!, cancellationToken) is { } urlError)
        {
            validation.Add("url", urlError);
        }

        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var definition = new WebhookDefinition(
            name, request.Url!, [.. request.EventTypes!.Select(type => type!)], request.Enabled ?? true);
        var existing = await store.GetWebhookAsync(tenant.Id, name, cancellationToken);
        var secret = request.Secret ?? (existing is null ? WebhookSecret.Generate() : null);
        var startAfter = existing is null ? await events.GetLastSequenceAsync(tenant.Id, cancellationToken) : 0;
        var created = await store.PutWebhookAsync(
            tenant.Id, definition, secret, startAfter, TenantAccess.ReadActor(user), cancellationToken);
        signal.Notify();
        var stored = (await store.GetWebhookAsync(tenant.Id, name, cancellationToken))!;
        var response = WebhookResponse.From(stored, secret);
        return created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), response)
            : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(
        HttpContext context, string name, IWebhookStore store, CancellationToken cancellationToken)
    {
        var found = await store.GetWebhookAsync(TenantScope.Get(context).Id, name, cancellationToken);
        return found is null ? NotFound(name) : TypedResults.Ok(WebhookResponse.From(found));
    }

    private static async Task<Ok<List<WebhookResponse>>> ListAsync(
        HttpContext context, IWebhookStore store, CancellationToken cancellationToken)
    {
        var webhooks = await store.ListWebhooksAsync(TenantScope.Get(context).Id, cancellationToken);
        return TypedResults.Ok(webhooks.Select(webhook => WebhookResponse.From(webhook)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, string name, ClaimsPrincipal user, IWebhookStore store,
        CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteWebhookAsync(
            TenantScope.Get(context).Id, name, TenantAccess.ReadActor(user), cancellationToken);
        return deleted ? TypedResults.NoContent() : NotFound(name);
    }

    private static async Task<Results<Ok<WebhookSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        HttpContext context, string name, ClaimsPrincipal user, IWebhookStore store,
        CancellationToken cancellationToken)
    {
        var secret = WebhookSecret.Generate();
        var changed = await store.SetSecretAsync(
            TenantScope.Get(context).Id, name, secret, TenantAccess.ReadActor(user), cancellationToken);
        return changed ? TypedResults.Ok(new WebhookSecretResponse(name, secret)) : NotFound(name);
    }

    internal static ProblemHttpResult NotFound(string name) =>
        SkillQueueEndpoints.NotFound("webhook", name);

    private static RequestValidation Validate(string name, WebhookRequest request)
    {
        var validation = new RequestValidation();
        validation.CheckPathName("name", name, MaxNameLength);
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            validation.Add("url", "url is missing. Send the absolute http or https URL that receives the " +
                "deliveries, such as \"https://crm.example.com/hooks/routed-email\".");
        }

        ValidateEventTypes(validation, request.EventTypes);
        if (request.Secret is not null && !WebhookSecret.TryDecode(request.Secret, out _))
        {
            // The message never repeats the value, because it is a secret.
            validation.Add("secret", $"secret is invalid: use \"{WebhookSecret.Prefix}\" followed by the base64 " +
                $"of {WebhookSecret.MinKeyBytes} to {WebhookSecret.MaxKeyBytes} random bytes, or leave it out so " +
                "that the service generates one.");
        }

        return validation;
    }

    private static void ValidateEventTypes(RequestValidation validation, IReadOnlyList<string?>? eventTypes)
    {
        if (eventTypes is null || eventTypes.Count == 0)
        {
            validation.Add("eventTypes", "eventTypes is missing or empty. List the event types to deliver, such " +
                "as [\"Received\", \"Completed\"], or send [\"*\"] for all of them.");
            return;
        }

        if (eventTypes.Count > MaxEventTypes)
        {
            validation.Add("eventTypes", $"eventTypes has {eventTypes.Count} entries; the maximum is " +
                $"{MaxEventTypes}. Send [\"*\"] to receive every type.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < eventTypes.Count; index++)
        {
            var type = eventTypes[index];
            if (type == WebhookEventTypes.All && eventTypes.Count > 1)
            {
                validation.Add("eventTypes", "eventTypes lists \"*\" with other types. Send [\"*\"] alone for " +
                    "every type, or list the types.");
            }
            else if (type != WebhookEventTypes.All && (type is null || !WebhookEventTypes.Known.Contains(type)))
            {
                validation.Add("eventTypes", $"eventTypes[{index}] \"{type}\" is not an event type. Use one of " +
                    $"{string.Join(", ", WebhookEventTypes.Known.Order(StringComparer.Ordinal))}, or \"*\".");
            }
            else if (!seen.Add(type!))
            {
                validation.Add("eventTypes", $"eventTypes[{index}] \"{type}\" appears more than once. List each " +
                    "type once.");
            }
        }
    }
}
