using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// Several servers in this process, each with its own data directory and Kestrel port, as nodes on one PostgreSQL
/// database. Disposing it stops the nodes still running, then drops the database and deletes the directories.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<string> _directories;
    private readonly TestServer?[] _nodes;

    private TestCluster(List<string> directories, TestServer?[] nodes)
    {
        _directories = directories;
        _nodes = nodes;
    }

    /// <summary>Returns a running node; fails the test when it was stopped.</summary>
    public TestServer this[int index] =>
        _nodes[index] ?? throw new InvalidOperationException($"Node {index} was stopped.");

    /// <summary>Starts the nodes one after the other, so the first applies the migrations.</summary>
    /// <param name="count">The number of nodes.</param>
    /// <param name="time">A fake clock shared by the nodes, or null for the system clock.</param>
    /// <param name="settings">Configuration keys and values for every node.</param>
    /// <param name="services">Changes to every node's registrations.</param>
    public static async Task<TestCluster> StartAsync(
        int count, FakeTimeProvider? time = null, IDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var directories = Enumerable.Range(0, count)
            .Select(_ => Directory.CreateTempSubdirectory("routed-email-node-").FullName).ToList();
        var nodes = new TestServer?[count];
        var cluster = new TestCluster(directories, nodes);
        try
        {
            for (var i = 1; i < count; i++)
            {
                await TestStore.ShareDatabaseAsync(directories[i], directories[0]);
            }

            for (var i = 0; i < count; i++)
            {
                nodes[i] = await TestServer.StartAsync(directories[i], time, settings, services: services);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Stops one node gracefully, as an operator stopping the service does.</summary>
    public async Task StopAsync(int index)
    {
        if (_nodes[index] is { } node)
        {
            _nodes[index] = null;
            await node.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            await StopAsync(i);
        }

        foreach (var directory in _directories)
        {
            await TestStore.DropAsync(directory);
            Directory.Delete(directory, recursive: true);
        }
    }
}
