using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>A webhook's delivery records and their replay, for administrators.</summary>
internal static class WebhookDeliveryEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;

    public static void MapWebhookDeliveries(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/webhooks/{name}/deliveries", ListAsync)
            .WithSummary("Lists a webhook's delivery records, newest first; state=DeadLetter lists dead letters.");
        tenant.MapPost("/webhooks/{name}/deliveries/{deliveryId:long}/replay", ReplayAsync)
            .WithSummary("Sends a dead-lettered or delivered record again, with the same event id.");
        tenant.MapPost("/webhooks/{name}/deliveries/replay-dead-letters", ReplayDeadLettersAsync)
            .WithSummary("Sends every dead-lettered record of the webhook again.");
    }

    private static async Task<Results<Ok<IReadOnlyList<WebhookDelivery>>, ValidationProblem, ProblemHttpResult>>
        ListAsync(HttpContext context, string name, string? state, long? before, int? limit,
            IWebhookDeliveryStore store, CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        WebhookDeliveryState? parsedState = null;
        if (state is not null)
        {
            if (Enum.TryParse<WebhookDeliveryState>(state, ignoreCase: false, out var value)
                && Enum.IsDefined(value) && !int.TryParse(state, out _))
            {
                parsedState = value;
            }
            else
            {
                validation.Add("state", $"state \"{state}\" is invalid. Use Pending, Delivered or DeadLetter, or " +
                    "leave it out for every state.");
            }
        }

        validation.CheckRange("limit", limit ?? DefaultLimit, 1, MaxLimit);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var deliveries = await store.ListDeliveriesAsync(TenantScope.Get(context).Id, name, parsedState, before,
            limit ?? DefaultLimit, cancellationToken);
        return deliveries is null ? WebhookEndpoints.NotFound(name) : TypedResults.Ok(deliveries);
    }

    private static async Task<Results<Ok<WebhookReplayResponse>, ProblemHttpResult>> ReplayAsync(
        HttpContext context, string name, long deliveryId, ClaimsPrincipal user, IWebhookDeliveryStore store,
        WebhookSignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await store.ReplayAsync(TenantScope.Get(context).Id, name, deliveryId, time.GetUtcNow(),
            TenantAccess.ReadActor(user), cancellationToken);
        switch (result)
        {
            case WebhookReplayResult.Replayed:
                signal.Notify();
                return TypedResults.Ok(new WebhookReplayResponse(1));
            case WebhookReplayResult.StillPending:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "The delivery is still pending.",
                    detail: $"Delivery {deliveryId} of webhook \"{name}\" is still pending, so it will be sent " +
                        "without a replay. Replay it once it is DeadLetter or Delivered.");
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                    title: "The delivery does not exist.",
                    detail: $"The tenant has no webhook \"{name}\" with delivery {deliveryId}. List the " +
                        $"deliveries with GET .../webhooks/{name}/deliveries?state=DeadLetter.");
        }
    }

    private static async Task<Results<Ok<WebhookReplayResponse>, ProblemHttpResult>> ReplayDeadLettersAsync(
        HttpContext context, string name, ClaimsPrincipal user, IWebhookDeliveryStore store, WebhookSignal signal,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var count = await store.ReplayDeadLettersAsync(
            TenantScope.Get(context).Id, name, time.GetUtcNow(), TenantAccess.ReadActor(user), cancellationToken);
        if (count is null)
        {
            return WebhookEndpoints.NotFound(name);
        }

        signal.Notify();
        return TypedResults.Ok(new WebhookReplayResponse(count.Value));
    }
}
