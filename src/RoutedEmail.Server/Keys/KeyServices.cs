using Microsoft.Extensions.Options;
using RoutedEmail.Server.Hosting;
using RoutedEmail.Server.Security;

namespace RoutedEmail.Server.Keys;

/// <summary>Registers API key checking, rotation and publishing, and checks their settings at start.</summary>
internal static class KeyServices
{
    public static void AddTo(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiKeyOptions>()
            .Bind(builder.Configuration.GetSection(ApiKeyOptions.SectionName))
            .Validate(options => options.PreviousKeyGracePeriod >= TimeSpan.Zero,
                "ApiKeys:PreviousKeyGracePeriod is negative. Set a time span such as 02:00:00 (two hours).")
            .Validate(options => options.DefaultRotationDays is >= 1 and <= 365,
                "ApiKeys:DefaultRotationDays is out of range. Set 1 to 365 days, such as 30.")
            .Validate(options => options.PublishRetryDelay > TimeSpan.Zero,
                "ApiKeys:PublishRetryDelay is not positive. Set a time span such as 00:00:30.")
            .Validate(options => options.PublishRetryMaxDelay >= options.PublishRetryDelay,
                "ApiKeys:PublishRetryMaxDelay is shorter than ApiKeys:PublishRetryDelay. Set it to at least that, " +
                "such as 00:15:00.")
            .Validate(options => options.FailureLimit >= 1,
                "ApiKeys:FailureLimit is below 1. Set the number of failures allowed per window, such as 20.")
            .Validate(options => options.FailureWindow > TimeSpan.Zero,
                "ApiKeys:FailureWindow is not positive. Set a time span such as 00:01:00.")
            .ValidateOnStart();
        services.AddOptions<AwsOptions>()
            .Bind(builder.Configuration.GetSection(AwsOptions.SectionName))
            .Validate(
                options => string.IsNullOrEmpty(options.AccessKeyId) == string.IsNullOrEmpty(options.SecretAccessKey),
                "Only one of Aws:AccessKeyId and Aws:SecretAccessKey is set. Set both to sign with that key, or " +
                "neither to use the AWS default credential chain.")
            .Validate(options => options.RequestTimeout > TimeSpan.Zero,
                "Aws:RequestTimeout is not positive. Set a time span such as 00:00:30.")
            .Validate(options => IsHttpUrl(options.ServiceUrl) && IsHttpUrl(options.StsServiceUrl),
                "Aws:ServiceUrl or Aws:StsServiceUrl is not an absolute http or https URL. Set a URL such as " +
                "http://127.0.0.1:5000, or remove the setting.")
            .ValidateOnStart();

        services.AddSingleton<AuthenticationFailureLimiter>();
        services.AddSingleton<SecretsManagerClients>();
        services.AddSingleton<KeyRotationSignal>();
        services.AddSingleton<KeyPublisher>();
        services.AddHostedService<KeyRotationService>();
    }

    private static bool IsHttpUrl(Uri? url) =>
        url is null || (url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps));
}
