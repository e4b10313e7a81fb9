using RoutedEmail.Storage;

namespace RoutedEmail.Server.Webhooks;

/// <summary>Registers webhooks: options, stores, target checks, the sender and the delivery service.</summary>
internal static class WebhookServices
{
    public static void AddWebhooks(this WebApplicationBuilder builder)
    {
        WebhookOptions.AddTo(builder);
        var services = builder.Services;
        services.AddWebhookStorage();
        services.AddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<WebhookConnector>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookRetryPolicy>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookAttempt>();
        services.AddHostedService<WebhookDeliveryService>();
    }
}
