using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RoutedEmail.Core.Ingest;

namespace RoutedEmail.Server.Limits;

/// <summary>
/// Adds the resource limits: ingest body and content limits, Kestrel connection limits and per-tenant rate limits,
/// each bound from configuration and checked when the service starts.
/// </summary>
internal static class ServiceLimits
{
    /// <summary>Binds and checks the limit options, and configures Kestrel and the rate limiter from them.</summary>
    public static void AddTo(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestLimitOptions>()
            .Bind(builder.Configuration.GetSection(IngestLimitOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestLimitOptions>, IngestLimitValidation>();
        services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitValidation>();

        var server = builder.Configuration.GetSection(ServerLimitOptions.SectionName).Get<ServerLimitOptions>()
            ?? new ServerLimitOptions();
        CheckServerLimits(server);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = NullWhenOff(server.MaxConcurrentConnections);
            kestrel.Limits.MaxConcurrentUpgradedConnections = NullWhenOff(server.MaxConcurrentUpgradedConnections);
            kestrel.Limits.MaxRequestBodySize = NullWhenOff(server.MaxRequestBodyBytes);
        });
        services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            // Minimal API binding ends a body over Kestrel's limit with a bare 413, which status code pages turn
            // into a problem. The detail added here names the limit and its setting.
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
                {
                    context.ProblemDetails.Detail ??=
                        $"The request body is larger than {server.MaxRequestBodyBytes} bytes " +
                        $"({ServerLimitOptions.SectionName}:MaxRequestBodyBytes). Send a smaller body.";
                }
            };
        });

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = TenantRateLimiter.WriteRejectionAsync;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                TenantRateLimiter.Partition(
                    context, context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value));
        });
    }

    /// <summary>Adds the rate limiter, after the forwarded headers so that it reads the real client address.</summary>
    public static void Use(WebApplication app) => app.UseRateLimiter();

    private static long? NullWhenOff(long limit) => limit > 0 ? limit : null;

    private static void CheckServerLimits(ServerLimitOptions options)
    {
        var section = ServerLimitOptions.SectionName;
        if (options.MaxConcurrentConnections < 0 || options.MaxConcurrentUpgradedConnections < 0
            || options.MaxRequestBodyBytes < 0)
        {
            throw new InvalidOperationException(
                $"{section}:MaxConcurrentConnections, {section}:MaxConcurrentUpgradedConnections or " +
                $"{section}:MaxRequestBodyBytes is negative. Set a number such as the defaults 10000, 5000 and " +
                "1048576, or 0 for no limit.");
        }
    }

    private sealed class IngestLimitValidation : IValidateOptions<IngestLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, IngestLimitOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }

    private sealed class RateLimitValidation : IValidateOptions<RateLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
        {
            var errors = new List<string>();
            Check(errors, "Ingest", options.Ingest);
            Check(errors, "Api", options.Api);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        private static void Check(List<string> errors, string name, RateLimitRule rule)
        {
            var section = $"{RateLimitOptions.SectionName}:{name}";
            if (rule.PermitLimit < 0)
            {
                errors.Add($"{section}:PermitLimit is {rule.PermitLimit}; set at least 1, or 0 for no limit.");
            }

            if (rule.Window <= TimeSpan.Zero)
            {
                errors.Add($"{section}:Window is {rule.Window}; set a positive time span such as 00:00:10.");
            }

            if (rule.QueueLimit < 0)
            {
                errors.Add($"{section}:QueueLimit is {rule.QueueLimit}; set 0 or more.");
            }
        }
    }
}
