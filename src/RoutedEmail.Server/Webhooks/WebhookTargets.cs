using System.Net;
using Microsoft.Extensions.Options;

namespace RoutedEmail.Server.Webhooks;

/// <summary>Resolves a host name to its addresses; tests replace it so that no name is looked up in DNS.</summary>
internal interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>Resolves host names through the system resolver.</summary>
internal sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// Checks a webhook URL when an administrator sets it: an absolute http or https URL without user info whose host
/// resolves only to addresses the target rules allow. Deliveries check the resolved address again when they
/// connect (<see cref="WebhookConnector"/>), because DNS answers can change.
/// </summary>
internal sealed class WebhookTargets(
    IOptions<WebhookOptions> options, IWebhookHostResolver resolver, TimeProvider time)
{
    public const int MaxUrlLength = 2000;

    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Returns why the URL cannot be a webhook target, or null when it can.</summary>
    public async Task<string?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"url is {url.Length} characters long; the maximum is {MaxUrlLength}.";
        }

        var example = "such as \"https://crm.example.com/hooks/routed-email\"";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"url \"{url}\" is not an absolute http or https URL. Send one {example}.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "url contains user info (a name or password before '@'), which is not allowed. Remove it and " +
                "verify deliveries by their signature instead.";
        }

        if (uri.Fragment.Length > 0)
        {
            return $"url \"{url}\" has a fragment ('#'), which is never sent to the receiver. Remove it.";
        }

        var host = HostOf(uri);
        return await CheckHostAsync(host, cancellationToken) is { } error ? $"url \"{url}\": {error}" : null;
    }

    /// <summary>Returns the host of a URL without IPv6 brackets, as the resolver and IP parsing take it.</summary>
    public static string HostOf(Uri uri) => uri.DnsSafeHost.Trim('[', ']');

    private async Task<string?> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = new CancellationTokenSource(ResolveTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                addresses = await resolver.ResolveAsync(host, linked.Token);
            }
            catch (Exception exception) when (
                exception is System.Net.Sockets.SocketException
                || (exception is OperationCanceledException && timeout.IsCancellationRequested))
            {
                return $"the host \"{host}\" could not be resolved ({exception.Message}). Check the name, or " +
                    "send the URL again once DNS answers for it.";
            }
        }

        if (addresses.Length == 0)
        {
            return $"the host \"{host}\" has no addresses. Check the name.";
        }

        var rejected = addresses.FirstOrDefault(address => !WebhookAddressRules.IsAllowed(address, options.Value));
        return rejected is null ? null : WebhookAddressRules.DescribeRejection(rejected);
    }
}
