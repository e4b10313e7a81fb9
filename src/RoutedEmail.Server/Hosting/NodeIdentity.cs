namespace RoutedEmail.Server.Hosting;

/// <summary>
/// The random id of this server process, new at every start. It marks this node's hub connections in the database
/// and its cluster messages.
/// </summary>
internal sealed class NodeIdentity
{
    /// <summary>The node's id: 32 hexadecimal digits.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");
}
