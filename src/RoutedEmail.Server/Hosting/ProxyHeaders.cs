using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Reads the client address and scheme from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, but only on
/// connections from the reverse proxies listed in <c>ForwardedHeaders:KnownProxies</c> (addresses) and
/// <c>ForwardedHeaders:KnownNetworks</c> (CIDR ranges). With neither set, the headers are ignored, because any client
/// could send them to escape the rate limit of failed key checks or to fake its address in the log.
/// </summary>
internal static class ProxyHeaders
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Configures the forwarded headers middleware from the settings, and fails the start on a bad one.</summary>
    /// <exception cref="InvalidOperationException">A listed address or network is invalid.</exception>
    public static void AddTo(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        var proxyAddresses = proxies.Select((text, index) => ParseAddress(text, index)).ToList();
        var proxyNetworks = networks.Select((text, index) => ParseNetwork(text, index)).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;

            // Every hop is read back to the first address that is not a listed proxy, so chained proxies work.
            options.ForwardLimit = null;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            proxyAddresses.ForEach(options.KnownProxies.Add);
            proxyNetworks.ForEach(options.KnownIPNetworks.Add);
        });
        builder.Services.AddSingleton(new ProxySettings(proxyAddresses.Count + proxyNetworks.Count > 0));
    }

    /// <summary>Adds the middleware when a proxy is listed, before anything reads the client address.</summary>
    public static void Use(WebApplication app)
    {
        if (app.Services.GetRequiredService<ProxySettings>().AnyProxyListed)
        {
            app.UseForwardedHeaders();
        }
    }

    private static IPAddress ParseAddress(string text, int index) =>
        IPAddress.TryParse(text, out var address)
            ? address
            : throw new InvalidOperationException(
                $"{SectionName}:KnownProxies:{index} is \"{text}\", which is not an IP address. List each reverse " +
                "proxy's address, such as 10.0.0.5, or its range in KnownNetworks.");

    private static System.Net.IPNetwork ParseNetwork(string text, int index) =>
        System.Net.IPNetwork.TryParse(text, out var network)
            ? network
            : throw new InvalidOperationException(
                $"{SectionName}:KnownNetworks:{index} is \"{text}\", which is not a CIDR range. Write it as an " +
                "address and prefix length with no host bits set, such as 10.0.0.0/24.");

    private sealed record ProxySettings(bool AnyProxyListed);
}
