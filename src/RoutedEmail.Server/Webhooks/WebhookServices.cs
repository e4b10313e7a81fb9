using RoutedEmail.Storage;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Webhooks;

/// <summary>
/// Registers webhooks: options, stores, target checks, the sender, the delivery service and what wakes it when
/// events commit.
/// </summary>
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
        services.AddSingleton<IEventCommitObserver>(services => services.GetRequiredService<WebhookSignal>());
        services.AddSingleton<WebhookAttempt>();
        services.AddHostedService<WebhookDeliveryService>();

        // Other nodes' commits reach this node as cluster messages (ClusterEventCommitObserver and ClusterListener).
    }
}
