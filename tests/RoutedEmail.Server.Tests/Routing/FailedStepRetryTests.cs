using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Tests.Routing;

/// <summary>A routing step that fails is retried a second later, without waiting for another change.</summary>
public sealed class FailedStepRetryTests
{
    [Fact]
    public async Task RoutingStep_Fails_RetriedAfterOneSecond()
    {
        var time = new FakeTimeProvider();
        FailingRoutingStore? store = null;
        await using var server = await TestServer.StartAsync(time: time, services: services =>
        {
            var inner = services.Last(descriptor => descriptor.ServiceType == typeof(IRoutingStore));
            services.Remove(inner);
            services.AddSingleton<IRoutingStore>(provider =>
                store = new FailingRoutingStore((IRoutingStore)Create(provider, inner)));

            // Without routing on arrival, the SQLite ingest writer leaves the email to the routing steps under test.
            services.RemoveAll<IArrivalRouting>();
        });
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");

        store!.FailNextSteps(1);
        await scenario.IngestAcceptedAsync(scenario.Item("e1"));
        await store.Failed.WaitAsync(TimeSpan.FromSeconds(30));

        // The retry's timer starts when the failure reaches the service's handler, a moment after Failed completes,
        // so the clock moves a second at a time until the store receives the next step.
        for (var second = 0; second < 30 && !store.Retried.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(store.Retried, Task.Delay(TimeSpan.FromMilliseconds(200)));
        }

        Assert.True(store.Retried.IsCompleted, "No routing step ran after the failed one.");
        var offer = await agent.WaitForOfferOfAsync("e1");
        Assert.Equal("e1", AgentApi.EntityIdOf(offer));
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    /// <summary>Passes every call on, but throws from as many next routing steps as FailNextSteps sets.</summary>
    private sealed class FailingRoutingStore(IRoutingStore inner) : IRoutingStore
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _retried = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _failures;

        public Task Failed => _failed.Task;

        /// <summary>Completes at the first step after a failed one.</summary>
        public Task Retried => _retried.Task;

        public void FailNextSteps(int count) => Volatile.Write(ref _failures, count);

        public Task<IReadOnlyList<OfferMade>> RouteAsync(
            long tenantId, TimeSpan declineSkip, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                _failed.TrySetResult();
                throw new InvalidOperationException("A routing step failed on purpose.");
            }

            if (_failed.Task.IsCompleted)
            {
                _retried.TrySetResult();
            }

            return inner.RouteAsync(tenantId, declineSkip, cancellationToken);
        }

        public Task<IReadOnlyList<long>> ListTenantIdsAsync(CancellationToken cancellationToken) =>
            inner.ListTenantIdsAsync(cancellationToken);

        public Task<IReadOnlyList<QueueAttendanceChanged>> UpdateQueueAttendanceAsync(
            long tenantId, CancellationToken cancellationToken) =>
            inner.UpdateQueueAttendanceAsync(tenantId, cancellationToken);

        public Task<DateTimeOffset?> FindNextOfferDeadlineAsync(CancellationToken cancellationToken) =>
            inner.FindNextOfferDeadlineAsync(cancellationToken);

        public Task<DateTimeOffset?> FindNextEscalationAsync(CancellationToken cancellationToken) =>
            inner.FindNextEscalationAsync(cancellationToken);

        public Task<IReadOnlyList<EmailEscalated>> EscalateDueEmailsAsync(CancellationToken cancellationToken) =>
            inner.EscalateDueEmailsAsync(cancellationToken);

        public Task<DateTimeOffset?> FindNextWrapEndAsync(CancellationToken cancellationToken) =>
            inner.FindNextWrapEndAsync(cancellationToken);

        public Task<IReadOnlyList<WrapEnded>> EndDueWrapsAsync(CancellationToken cancellationToken) =>
            inner.EndDueWrapsAsync(cancellationToken);

        public Task<IReadOnlyList<OfferExpired>> ExpireDueOffersAsync(CancellationToken cancellationToken) =>
            inner.ExpireDueOffersAsync(cancellationToken);

        public Task<DateTimeOffset?> FindNextSkipEndAsync(
            DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken) =>
            inner.FindNextSkipEndAsync(after, declineSkip, cancellationToken);

        public Task<IReadOnlyList<long>> ListTenantsWithSkipsEndedAsync(
            DateTimeOffset after, TimeSpan declineSkip, CancellationToken cancellationToken) =>
            inner.ListTenantsWithSkipsEndedAsync(after, declineSkip, cancellationToken);
    }
}
