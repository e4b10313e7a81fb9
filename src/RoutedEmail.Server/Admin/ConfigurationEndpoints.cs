using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tenants;
using RoutedEmail.Server.Security;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Admin;

/// <summary>Routed email configurations: which skill queue and priority each owner id routes to.</summary>
internal static class ConfigurationEndpoints
{
    public static void MapConfigurations(this RouteGroupBuilder tenant)
    {
        tenant.MapPut("/routed-email-configurations/{ownerId}", PutAsync)
            .WithSummary("Creates or replaces the routed email configuration of an owner id.");
        tenant.MapGet("/routed-email-configurations/{ownerId}", GetAsync)
            .WithSummary("Reads the routed email configuration of an owner id.");
        tenant.MapGet("/routed-email-configurations", ListAsync)
            .WithSummary("Lists the tenant's routed email configurations.");
    }

    private static async Task<Results<Ok<RoutedEmailConfiguration>, Created<RoutedEmailConfiguration>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext context, string ownerId, ConfigurationRequest request, ClaimsPrincipal user,
        IConfigurationStore store, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var configuration = new RoutedEmailConfiguration(
            ownerId, request.SkillQueue ?? string.Empty, request.Priority ?? 0, request.Enabled ?? true,
            request.Description ?? string.Empty, string.IsNullOrEmpty(request.ScreenPopUrlTemplate) ? null : request.ScreenPopUrlTemplate);
        var validation = Validate(configuration, request.SkillQueue is null);
        if (!validation.IsValid)
        {
            return (ValidationProblem)validation.ToProblem();
        }

        var outcome = await store.PutConfigurationAsync(
            tenant.Id, configuration, TenantAccess.ReadActor(user), cancellationToken);
        if (outcome.MissingSkillQueue is { } missing)
        {
            validation.Add("skillQueue", $"skillQueue \"{missing}\" does not exist. Create it with PUT " +
                $"/api/v1/tenants/{tenant.CompanyCode}/{tenant.Environment}/skill-queues/{missing} first.");
            return (ValidationProblem)validation.ToProblem();
        }

        return outcome.Created
            ? TypedResults.Created(SkillQueueEndpoints.ResourcePath(context), configuration)
            : TypedResults.Ok(configuration);
    }

    private static async Task<Results<Ok<RoutedEmailConfiguration>, ProblemHttpResult>> GetAsync(
        HttpContext context, string ownerId, IConfigurationStore store, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Get(context);
        var found = await store.GetConfigurationAsync(tenant.Id, ownerId, cancellationToken);
        return found is null
            ? SkillQueueEndpoints.NotFound("routed email configuration", ownerId)
            : TypedResults.Ok(found);
    }

    private static async Task<Results<Ok<IReadOnlyList<RoutedEmailConfiguration>>, ProblemHttpResult>> ListAsync(
        HttpContext context, IConfigurationStore store, CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await store.ListConfigurationsAsync(TenantScope.Get(context).Id, cancellationToken));
    }

    private static RequestValidation Validate(RoutedEmailConfiguration configuration, bool skillQueueMissing)
    {
        var validation = new RequestValidation();
        validation.CheckPathName("ownerId", configuration.OwnerId, IngestLimits.MaxIdLength);
        if (skillQueueMissing)
        {
            validation.Add("skillQueue", "skillQueue is missing. Name the skill queue that receives this owner's email.");
        }

        validation.CheckRange(
            "priority", configuration.Priority, RoutedEmailConfiguration.MinPriority, RoutedEmailConfiguration.MaxPriority);
        validation.CheckLength("description", configuration.Description, 0, 1000);
        if (configuration.ScreenPopUrlTemplate is { } template && !ScreenPopUrl.IsValidTemplate(template))
        {
            validation.Add("screenPopUrlTemplate", $"screenPopUrlTemplate \"{template}\" is not an absolute http or " +
                "https URL of at most 2000 characters, without spaces, user name or password or a . or .. path " +
                "segment, with each placeholder closed and placed after the host, so that a CRM value cannot " +
                "choose where the link goes. Use a URL such as https://crm.example.com/case/{entityId}.");
        }

        return validation;
    }
}
