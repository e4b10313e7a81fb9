using Microsoft.JSInterop;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

/// <summary>How the desktop's REST client reports a server it cannot reach.</summary>
public sealed class AgentApiTests
{
    [Fact]
    public async Task SignIn_Timeout_ReadableMessage()
    {
        var api = CreateApi(new TaskCanceledException("TaskCanceledException_ctor_DefaultMessage"));

        var exception = await Assert.ThrowsAsync<AgentApiException>(
            () => api.SignInAsync("acme", "prod", "maria", "password-maria", CancellationToken.None));

        Assert.StartsWith("The server could not be reached or did not answer in time.", exception.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain("TaskCanceledException", exception.Message, StringComparison.Ordinal);
        Assert.Null(exception.StatusCode);
    }

    [Fact]
    public async Task Decline_NetworkFailure_ReadableMessage()
    {
        var api = CreateApi(new HttpRequestException("net_http_message_not_success_statuscode"));

        var exception = await Assert.ThrowsAsync<AgentApiException>(
            () => api.DeclineAsync(7, CancellationToken.None));

        Assert.DoesNotContain("net_http", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Check the connection", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decline_CallerCancels_StaysCancellation()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var api = CreateApi(new TaskCanceledException());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.DeclineAsync(7, cancellation.Token));
    }

    private static AgentApi CreateApi(Exception failure)
    {
        var http = new HttpClient(new FailingHandler(failure)) { BaseAddress = new Uri("http://127.0.0.1:9/") };
        return new AgentApi(http, new SessionStore(new NoJsRuntime(), TimeProvider.System), TimeProvider.System);
    }

    private sealed class FailingHandler(Exception failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromException<HttpResponseMessage>(failure);
    }

    private sealed class NoJsRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException("These tests use no JavaScript.");

        public ValueTask<TValue> InvokeAsync<TValue>(
            string identifier, CancellationToken cancellationToken, object?[]? args) =>
            throw new InvalidOperationException("These tests use no JavaScript.");
    }
}
