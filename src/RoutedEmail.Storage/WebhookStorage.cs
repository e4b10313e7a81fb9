using Microsoft.Extensions.DependencyInjection;
using RoutedEmail.Storage.Abstractions;
using RoutedEmail.Storage.Sql;

namespace RoutedEmail.Storage;

/// <summary>Registers the webhook stores on the database that <c>AddRoutedEmailStorage</c> registered.</summary>
public static class WebhookStorage
{
    /// <summary>Adds <see cref="IWebhookStore"/>, <see cref="IWebhookDeliveryStore"/> and the event source.</summary>
    public static IServiceCollection AddWebhookStorage(this IServiceCollection services)
    {
        services.AddSingleton<IWebhookStore, SqlWebhookStore>();
        services.AddSingleton<IWebhookDeliveryStore, SqlWebhookDeliveryStore>();
        services.AddSingleton<IWebhookEventSource, SqlWebhookEventSource>();
        return services;
    }
}
