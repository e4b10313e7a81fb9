using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Webhooks;

/// <summary>The error of a delivery whose host resolved only to addresses that the target rules reject.</summary>
internal sealed class WebhookTargetRejectedException(string message) : IOException(message);

/// <summary>
/// Opens the connections of webhook deliveries, as the <see cref="SocketsHttpHandler.ConnectCallback"/>. It
/// resolves the host itself and connects only to addresses the target rules allow, so a DNS answer that changed
/// since the URL was checked cannot reach loopback, link-local or private addresses.
/// </summary>
/// <param name="options">The target rules.</param>
/// <param name="resolver">Resolves host names that are not IP literals.</param>
/// <param name="connect">Opens a TCP connection to one address; tests record the calls.</param>
internal sealed class WebhookConnector(
    IOptions<WebhookOptions> options, IWebhookHostResolver resolver,
    Func<IPEndPoint, CancellationToken, ValueTask<Stream>> connect)
{
    public WebhookConnector(IOptions<WebhookOptions> options, IWebhookHostResolver resolver)
        : this(options, resolver, ConnectSocketAsync)
    {
    }

    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
    }

    /// <summary>Connects to the first allowed address of the host that accepts the connection.</summary>
    /// <exception cref="WebhookTargetRejectedException">The host has no allowed address.</exception>
    /// <exception cref="SocketException">No allowed address accepted the connection.</exception>
    public async ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        host = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(host, cancellationToken);
        var allowed = addresses.Where(address => WebhookAddressRules.IsAllowed(address, options.Value)).ToList();
        if (allowed.Count == 0)
        {
            var reason = addresses.Length == 0
                ? "it has no addresses."
                : WebhookAddressRules.DescribeRejection(addresses[0]);
            throw new WebhookTargetRejectedException(
                $"The delivery was not sent, because the host \"{host}\" resolved to no allowed address: {reason}");
        }

        SocketException? lastError = null;
        foreach (var address in allowed)
        {
            try
            {
                return await connect(new IPEndPoint(address, port), cancellationToken);
            }
            catch (SocketException exception)
            {
                lastError = exception;
            }
        }

        throw lastError!;
    }

    private static async ValueTask<Stream> ConnectSocketAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
