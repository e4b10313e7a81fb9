using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// Sends a hand-written HTTP/1.1 request over a loopback socket, for requests that HttpClient cannot express, such
/// as one header on two separate lines (HttpClient joins the values into one line).
/// </summary>
public static class RawHttp
{
    /// <summary>Sends a request and reads the response until the server closes the connection.</summary>
    /// <param name="server">The loopback server.</param>
    /// <param name="method">The request method.</param>
    /// <param name="path">The request target.</param>
    /// <param name="headerLines">Header lines such as <c>X-Name: value</c>, sent in order.</param>
    /// <param name="body">The UTF-8 request body.</param>
    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(
        TestServer server, string method, string path, IEnumerable<string> headerLines, string body)
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        string[] fixedLines =
        [
            $"{method} {path} HTTP/1.1",
            $"Host: {server.BaseAddress.Authority}",
            "Connection: close",
            "Content-Type: application/json",
            "Content-Length: " + bodyBytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        var head = string.Join("\r\n", fixedLines.Concat(headerLines)) + "\r\n\r\n";

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bodyBytes);

        using var response = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(response, timeout.Token);
        var text = Encoding.UTF8.GetString(response.ToArray());
        var statusCode = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        return ((HttpStatusCode)statusCode, text[bodyStart..]);
    }
}
