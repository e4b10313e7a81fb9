using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Webhooks;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>
/// The target rules at delivery time. Rejected addresses are checked before any connection, so these tests pass
/// a connect function that records its calls and never opens a socket to them.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class WebhookTargetTests
{
    private static readonly IOptions<WebhookOptions> LoopbackOnly =
        Options.Create(new WebhookOptions { AllowLoopbackTargets = true });

    [Theory]
    [InlineData("169.254.169.254", "LinkLocal")]
    [InlineData("::ffff:169.254.169.254", "LinkLocal")]
    [InlineData("::a9fe:a9fe", "LinkLocal")]
    [InlineData("64:ff9b::a9fe:a9fe", "LinkLocal")]
    [InlineData("2002:a9fe:a9fe::1", "LinkLocal")]
    [InlineData("fe80::1", "LinkLocal")]
    [InlineData("127.0.0.1", "Loopback")]
    [InlineData("127.255.0.9", "Loopback")]
    [InlineData("::1", "Loopback")]
    [InlineData("::ffff:127.0.0.1", "Loopback")]
    [InlineData("10.0.0.1", "Private")]
    [InlineData("172.16.0.1", "Private")]
    [InlineData("172.31.255.255", "Private")]
    [InlineData("192.168.0.1", "Private")]
    [InlineData("100.64.0.1", "Private")]
    [InlineData("100.127.255.254", "Private")]
    [InlineData("fc00::1", "Private")]
    [InlineData("fd12:3456::1", "Private")]
    [InlineData("::ffff:192.168.1.1", "Private")]
    [InlineData("0.0.0.0", "Reserved")]
    [InlineData("::", "Reserved")]
    [InlineData("224.0.0.1", "Reserved")]
    [InlineData("ff02::1", "Reserved")]
    [InlineData("255.255.255.255", "Reserved")]
    [InlineData("192.0.2.10", "Reserved")]
    [InlineData("2001:db8::1", "Reserved")]
    [InlineData("172.32.0.1", "Public")]
    [InlineData("100.128.0.1", "Public")]
    [InlineData("8.8.8.8", "Public")]
    [InlineData("2606:4700::1111", "Public")]
    public void Classify_Address_ReturnsKind(string address, string expected)
    {
        Assert.Equal(expected, WebhookAddressRules.Classify(IPAddress.Parse(address)).ToString());
    }

    [Fact]
    public void IsAllowed_Options_OpenOnlyTheirKind()
    {
        var both = new WebhookOptions { AllowLoopbackTargets = true, AllowPrivateNetworkTargets = true };

        Assert.False(WebhookAddressRules.IsAllowed(IPAddress.Loopback, new WebhookOptions()));
        Assert.True(WebhookAddressRules.IsAllowed(IPAddress.Loopback, LoopbackOnly.Value));
        Assert.False(WebhookAddressRules.IsAllowed(IPAddress.Parse("10.0.0.1"), LoopbackOnly.Value));
        Assert.True(WebhookAddressRules.IsAllowed(IPAddress.Parse("10.0.0.1"), both));
        Assert.False(WebhookAddressRules.IsAllowed(IPAddress.Parse("169.254.169.254"), both));
        Assert.False(WebhookAddressRules.IsAllowed(IPAddress.Parse("0.0.0.0"), both));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("[::ffff:169.254.169.254]")]
    [InlineData("fe80::1")]
    [InlineData("10.0.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("[fd00::1]")]
    [InlineData("0.0.0.0")]
    public async Task ConnectAsync_RejectedLiteral_NeverConnects(string host)
    {
        var connects = new List<IPEndPoint>();
        var resolver = new FakeHostResolver([]);
        var connector = new WebhookConnector(LoopbackOnly, resolver, Recording(connects));

        await Assert.ThrowsAsync<WebhookTargetRejectedException>(
            async () => await connector.ConnectAsync(host, 80, CancellationToken.None));

        Assert.Empty(connects);
        Assert.Empty(resolver.Resolved);
    }

    [Fact]
    public async Task ConnectAsync_NameReboundToMetadata_NeverConnects()
    {
        var connects = new List<IPEndPoint>();
        var resolver = new FakeHostResolver(new() { ["hooks.example.test"] = [IPAddress.Parse("169.254.169.254")] });
        var connector = new WebhookConnector(LoopbackOnly, resolver, Recording(connects));

        var error = await Assert.ThrowsAsync<WebhookTargetRejectedException>(
            async () => await connector.ConnectAsync("hooks.example.test", 443, CancellationToken.None));

        Assert.Empty(connects);
        Assert.Contains("169.254.169.254 is a link-local address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_MixedAnswer_ConnectsOnlyToAllowed()
    {
        var connects = new List<IPEndPoint>();
        var resolver = new FakeHostResolver(new()
        {
            ["hooks.example.test"] = [IPAddress.Parse("10.0.0.7"), IPAddress.Loopback],
        });
        var connector = new WebhookConnector(LoopbackOnly, resolver, Recording(connects));

        await using var stream = await connector.ConnectAsync("hooks.example.test", 8080, CancellationToken.None);

        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 8080)], connects);
    }

    [Fact]
    public async Task Send_RedirectToMetadata_NotFollowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => (302, null);
        var connects = new List<IPEndPoint>();
        var connector = new WebhookConnector(LoopbackOnly, new FakeHostResolver([]), RecordingLoopback(connects));
        using var sender = new WebhookSender(connector, new FakeTimeProvider(), LoopbackOnly);
        var key = new byte[32];

        var result = await sender.SendAsync(receiver.Url, key, "evt_1", "{}"u8.ToArray(), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(302, result.StatusCode);
        Assert.Single(receiver.Requests);
        Assert.All(connects, endPoint => Assert.Equal(IPAddress.Loopback, endPoint.Address));
    }

    [Fact]
    public async Task Send_MetadataUrl_FailsWithoutConnecting()
    {
        var connects = new List<IPEndPoint>();
        var connector = new WebhookConnector(LoopbackOnly, new FakeHostResolver([]), Recording(connects));
        using var sender = new WebhookSender(connector, new FakeTimeProvider(), LoopbackOnly);

        var result = await sender.SendAsync("http://169.254.169.254/latest/meta-data/", new byte[32], "evt_1",
            "{}"u8.ToArray(), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Null(result.StatusCode);
        Assert.Contains("link-local", result.Error, StringComparison.Ordinal);
        Assert.Empty(connects);
    }

    private static Func<IPEndPoint, CancellationToken, ValueTask<Stream>> Recording(List<IPEndPoint> connects) =>
        (endPoint, _) =>
        {
            connects.Add(endPoint);
            return ValueTask.FromResult<Stream>(new MemoryStream());
        };

    // Opens real connections, but only to loopback; any other address fails the test before a socket exists.
    private static Func<IPEndPoint, CancellationToken, ValueTask<Stream>> RecordingLoopback(
        List<IPEndPoint> connects) =>
        async (endPoint, cancellationToken) =>
        {
            lock (connects)
            {
                connects.Add(endPoint);
            }

            Assert.True(IPAddress.IsLoopback(endPoint.Address), $"A connection to {endPoint} was attempted.");
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        };
}
