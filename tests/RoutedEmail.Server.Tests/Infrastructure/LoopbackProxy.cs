using System.Net;
using System.Net.Sockets;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on a loopback port, for tests in which a server appears only later: reserve the port first, point
/// a client at it, and start forwarding when the test decides. Stopping, or disposing, closes every connection, as
/// when the server behind it goes away, and it can be started again after a stop.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly List<Task> _connections = [];
    private CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private LoopbackProxy(int port, int targetPort)
    {
        Port = port;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, port);
    }

    /// <summary>The loopback port the proxy listens on once started.</summary>
    public int Port { get; }

    /// <summary>Reserves a free loopback port for a proxy to <paramref name="targetPort"/>, without listening yet.</summary>
    public static LoopbackProxy Reserve(int targetPort)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LoopbackProxy(port, targetPort);
    }

    /// <summary>Starts listening and forwarding every connection to the target port.</summary>
    public void Start()
    {
        if (_stop.IsCancellationRequested)
        {
            _stop.Dispose();
            _stop = new CancellationTokenSource();
        }

        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>Stops listening and closes every forwarded connection.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll([_accepting, .. _connections]).ContinueWith(_ => { }, TaskScheduler.Default);
        _connections.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException)
            {
                return;
            }

            _connections.Add(ForwardAsync(client, stop));
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken stop)
    {
        using (client)
        using (var target = new TcpClient())
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, stop);
            var clientStream = client.GetStream();
            var targetStream = target.GetStream();
            await Task.WhenAny(
                clientStream.CopyToAsync(targetStream, stop),
                targetStream.CopyToAsync(clientStream, stop));
        }
    }
}
