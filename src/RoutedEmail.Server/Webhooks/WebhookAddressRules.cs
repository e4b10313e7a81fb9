using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RoutedEmail.Server.Webhooks;

/// <summary>The kinds of address a webhook target can resolve to, as the target rules treat them.</summary>
internal enum WebhookAddressKind
{
    /// <summary>A globally routable address: always allowed.</summary>
    Public,

    /// <summary>127.0.0.0/8 or ::1: allowed only with <c>Webhooks:AllowLoopbackTargets</c>.</summary>
    Loopback,

    /// <summary>
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7 or fec0::/10: allowed only with
    /// <c>Webhooks:AllowPrivateNetworkTargets</c>.
    /// </summary>
    Private,

    /// <summary>169.254.0.0/16 or fe80::/10, where cloud metadata services listen: always rejected.</summary>
    LinkLocal,

    /// <summary>Unspecified, multicast, broadcast, documentation or otherwise reserved: always rejected.</summary>
    Reserved,
}

/// <summary>
/// Classifies IP addresses for webhook targets. IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible,
/// NAT64 64:ff9b::/96 and 6to4 2002::/16) are classified by the embedded address, so they cannot bypass the rules.
/// </summary>
internal static class WebhookAddressRules
{
    /// <summary>Returns whether the options allow a target of this address.</summary>
    public static bool IsAllowed(IPAddress address, WebhookOptions options) => Classify(address) switch
    {
        WebhookAddressKind.Public => true,
        WebhookAddressKind.Loopback => options.AllowLoopbackTargets,
        WebhookAddressKind.Private => options.AllowPrivateNetworkTargets,
        _ => false,
    };

    /// <summary>Returns the error message for a rejected address, naming the rule and the fix.</summary>
    public static string DescribeRejection(IPAddress address) => Classify(address) switch
    {
        WebhookAddressKind.Loopback => $"{address} is a loopback address. Use a public address, or set " +
            "Webhooks:AllowLoopbackTargets to true for a receiver on the same host.",
        WebhookAddressKind.Private => $"{address} is in a private network. Use a public address, or set " +
            "Webhooks:AllowPrivateNetworkTargets to true for receivers on the operator's own network.",
        WebhookAddressKind.LinkLocal => $"{address} is a link-local address, where cloud metadata services " +
            "listen, so it is always rejected. Use a public address.",
        _ => $"{address} is an unspecified, multicast, broadcast or reserved address, which cannot be a " +
            "webhook target. Use a public address.",
    };

    public static WebhookAddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyIPv4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return WebhookAddressKind.Reserved;
        }

        var bytes = address.GetAddressBytes();
        if (EmbeddedIPv4(bytes) is { } embedded)
        {
            return ClassifyIPv4(embedded);
        }

        return ClassifyIPv6(address, bytes);
    }

    private static WebhookAddressKind ClassifyIPv6(IPAddress address, byte[] bytes)
    {
        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return WebhookAddressKind.Loopback;
        }

        if (address.IsIPv6LinkLocal)
        {
            return WebhookAddressKind.LinkLocal;
        }

        if (address.IsIPv6UniqueLocal || address.IsIPv6SiteLocal)
        {
            return WebhookAddressKind.Private;
        }

        // Unspecified (::), multicast (ff00::/8), documentation (2001:db8::/32) and Teredo (2001::/32), whose
        // IPv4 destination is hidden in the address.
        var isDocumentation = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8;
        var isTeredo = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0;
        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6Multicast || isDocumentation || isTeredo)
        {
            return WebhookAddressKind.Reserved;
        }

        return WebhookAddressKind.Public;
    }

    private static byte[]? EmbeddedIPv4(byte[] bytes)
    {
        var firstTenZero = bytes.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0;
        var firstTwelveZero = firstTenZero && bytes[10] == 0 && bytes[11] == 0;

        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated); :: and ::1 are left to the IPv6 rules.
        var mapped = firstTenZero && bytes[10] == 0xff && bytes[11] == 0xff;
        var compatible = firstTwelveZero && BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)) > 1;
        var nat64 = bytes[0] == 0 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b
            && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        if (mapped || compatible || nat64)
        {
            return bytes[12..16];
        }

        return bytes[0] == 0x20 && bytes[1] == 0x02 ? bytes[2..6] : null;
    }

    private static WebhookAddressKind ClassifyIPv4(byte[] b)
    {
        return (b[0], b[1], b[2]) switch
        {
            (127, _, _) => WebhookAddressKind.Loopback,
            (10, _, _) => WebhookAddressKind.Private,
            (172, >= 16 and <= 31, _) => WebhookAddressKind.Private,
            (192, 168, _) => WebhookAddressKind.Private,
            (100, >= 64 and <= 127, _) => WebhookAddressKind.Private,
            (169, 254, _) => WebhookAddressKind.LinkLocal,

            // This network (0/8), IETF protocol assignments (192.0.0/24), documentation (192.0.2/24,
            // 198.51.100/24, 203.0.113/24), benchmarking (198.18/15), multicast (224/4), reserved and broadcast
            // (240/4).
            (0, _, _) or (192, 0, 0) or (192, 0, 2) or (198, 51, 100) or (203, 0, 113) => WebhookAddressKind.Reserved,
            (198, 18 or 19, _) => WebhookAddressKind.Reserved,
            (>= 224, _, _) => WebhookAddressKind.Reserved,
            _ => WebhookAddressKind.Public,
        };
    }
}
