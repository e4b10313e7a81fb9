using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Server.Webhooks;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>
/// A delivery starts when its event commits, not at the next poll: the poll interval is ten minutes here, the
/// maximum the settings accept, so a delivery that arrives within seconds was started by the commit.
/// </summary>
public sealed class WebhookCommitWakeTests
{
    private static readonly TimeSpan DeliveryLimit = TimeSpan.FromSeconds(10);
    private static readonly string[] ReceivedOnly = ["Received"];

    [Fact]
    public async Task Delivery_SlowPoll_StartsAtCommit()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(settings: SlowPollSettings());
        var tenant = await Scenario.CreateAsync(server);
        await tenant.PutAsync("webhooks/crm", new { url = receiver.Url, eventTypes = ReceivedOnly });

        var next = receiver.NextRequest;
        await tenant.IngestAcceptedAsync(tenant.Item("e-1"));

        await next.WaitAsync(DeliveryLimit);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("Received", request.Type);
        Assert.Equal("e-1", request.EntityId);
    }

    [PostgresFact]
    public async Task Delivery_OtherNodeCommits_WokenByNotify()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var directories = new[] { NewDirectory(), NewDirectory() };
        await TestStore.ShareDatabaseAsync(directories[1], directories[0]);
        TestServer? ingesting = null;
        TestServer? delivering = null;
        try
        {
            // Node A commits but runs no delivery service. Node B delivers but its own commits do not wake it, so
            // only A's cluster message through PostgreSQL can start its delivery before the next poll.
            ingesting = await TestServer.StartAsync(
                directories[0], settings: SlowPollSettings(), services: RemoveDeliveryService);
            delivering = await TestServer.StartAsync(
                directories[1], settings: SlowPollSettings(), services: RemoveCommitObserver);
            var tenant = await Scenario.CreateAsync(ingesting);
            await tenant.PutAsync("webhooks/crm", new { url = receiver.Url, eventTypes = ReceivedOnly });

            var next = receiver.NextRequest;
            await tenant.IngestAcceptedAsync(tenant.Item("e-1"));

            await next.WaitAsync(DeliveryLimit);
            var request = Assert.Single(receiver.Requests);
            Assert.Equal("e-1", request.EntityId);
            Assert.Empty(delivering.Services.GetServices<IEventCommitObserver>());
        }
        finally
        {
            foreach (var node in new[] { delivering, ingesting })
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }

            foreach (var directory in directories)
            {
                await TestStore.DropAsync(directory);
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> SlowPollSettings() => new(WebhookSetup.Settings())
    {
        ["Webhooks:PollInterval"] = "00:10:00",
    };

    private static string NewDirectory() => Directory.CreateTempSubdirectory("routed-email-node-").FullName;

    private static void RemoveDeliveryService(IServiceCollection services) =>
        RemoveWhere(services, descriptor => descriptor.ServiceType == typeof(IHostedService)
            && descriptor.ImplementationType == typeof(WebhookDeliveryService));

    private static void RemoveCommitObserver(IServiceCollection services) =>
        RemoveWhere(services, descriptor => descriptor.ServiceType == typeof(IEventCommitObserver));

    private static void RemoveWhere(IServiceCollection services, Func<ServiceDescriptor, bool> match)
    {
        var removed = services.Where(match).ToList();
        Assert.NotEmpty(removed);
        foreach (var descriptor in removed)
        {
            services.Remove(descriptor);
        }
    }
}
