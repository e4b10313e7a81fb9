using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Server.Admin;
using RoutedEmail.Server.Reports;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>A webhook's delivery records and their replay, for administrators.</summary>
internal static class WebhookDeliveryEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;

    private static readonly IReadOnlyList<string> Parameters = ["state", "before", "limit"];

    public static void MapWebhookDeliveries(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/webhooks/{name}/deliveries", ListAsync)
            .WithSummary("Lists a webhook's delivery records, newest first; state=DeadLetter lists dead letters.");
        // The id is parsed by the handler rather than a route constraint, so a non-numeric id gets the same 404
        // problem as an unknown one instead of a bare 404.
        tenant.MapPost("/webhooks/{name}/deliveries/{deliveryId}/replay", ReplayAsync)
            .WithSummary("Sends a dead-lettered or delivered record again, with the same event id.");
        tenant.MapPost("/webhooks/{name}/deliveries/replay-dead-letters", ReplayDeadLettersAsync)
            .WithSummary("Sends every dead-lettered record of the webhook again.");
    }

    private static async Task<Results<Ok<IReadOnlyList<WebhookDelivery>>, ValidationProblem, ProblemHttpResult>>
        ListAsync(HttpContext context, string name, IWebhookDeliveryStore store, CancellationToken cancellationToken)
    {
        // The values are read as strings, so that a bad one gets an error naming the parameter instead of a binding
        // failure.
        var query = context.Request.Query;
        var validation = new RequestValidation();
        ReportQuery.RejectUnknownParameters(validation, query, Parameters);
        var state = ReportQuery.TryReadSingleValue(validation, query, "state", out var stateValue)
            ? ParseState(validation, stateValue)
            : null;
        var before = ReportQuery.TryReadSingleValue(validation, query, "before", out var beforeValue)
            ? ParseWhole(validation, "before", beforeValue, 1, long.MaxValue)
            : null;
        var limit = ReportQuery.TryReadSingleValue(validation, query, "limit", out var limitValue)
            ? ParseWhole(validation, "limit", limitValue, 1, MaxLimit)
            : null;
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var deliveries = await store.ListDeliveriesAsync(TenantScope.Get(context).Id, name, state, before,
            (int)(limit ?? DefaultLimit), cancellationToken);
        return deliveries is null ? WebhookEndpoints.NotFound(name) : TypedResults.Ok(deliveries);
    }

    private static WebhookDeliveryState? ParseState(RequestValidation validation, string? value)
    {
        if (value is null)
        {
            return null;
        }

        // Enum.TryParse also accepts numbers and comma-separated names, which are not states.
        if (Enum.TryParse<WebhookDeliveryState>(value, ignoreCase: false, out var state)
            && Enum.IsDefined(state) && !int.TryParse(value, out _))
        {
            return state;
        }

        validation.Add("state", $"state \"{value}\" is invalid. Use Pending, Delivered or DeadLetter, or leave it " +
            "out for every state.");
        return null;
    }

    /// <summary>Parses a whole number from minimum to maximum, or returns null when the value is absent or invalid.</summary>
    private static long? ParseWhole(
        RequestValidation validation, string field, string? value, long minimum, long maximum)
    {
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            && parsed >= minimum && parsed <= maximum)
        {
            return parsed;
        }

        var range = maximum == long.MaxValue ? $"{minimum} or more" : $"from {minimum} to {maximum}";
        var meaning = field == "before"
            ? "a delivery record id, such as the id of the last record of the previous page"
            : "the number of records per page";
        validation.Add(field, $"{field} \"{value}\" is not a whole number {range}. Send {meaning}, in digits " +
            "only, or leave it out.");
        return null;
    }

    private static async Task<Results<Ok<WebhookReplayResponse>, ProblemHttpResult>> ReplayAsync(
        HttpContext context, string name, string deliveryId, ClaimsPrincipal user, IWebhookDeliveryStore store,
        WebhookSignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = long.TryParse(deliveryId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await store.ReplayAsync(TenantScope.Get(context).Id, name, id, time.GetUtcNow(),
                TenantAccess.ReadActor(user), cancellationToken)
            : WebhookReplayResult.NotFound;
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
