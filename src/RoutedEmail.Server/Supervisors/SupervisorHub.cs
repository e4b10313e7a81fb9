using Microsoft.AspNetCore.SignalR;
using RoutedEmail.Storage.Abstractions;

namespace RoutedEmail.Server.Supervisors;

/// <summary>
/// The supervisor hub at <c>/hubs/supervisor/{company}/{environment}</c>. It sends the message <c>changed</c>,
/// without arguments, after a change to the tenant's emails, offers or agents, and the client then reads
/// <c>GET .../dashboard</c>. The endpoint's authorization is the admin API's: the operator's token, or a session of
/// the tenant's user with the Supervisor or Administrator role. The hub takes no calls.
/// </summary>
internal sealed partial class SupervisorHub(ITenantStore tenants, ILogger<SupervisorHub> logger) : Hub
{
    /// <summary>The route of the hub, with the tenant in the path as in the admin API.</summary>
    public const string Route = "/hubs/supervisor/{company}/{environment}";

    /// <summary>The path prefix of every supervisor hub request.</summary>
    public const string PathPrefix = "/hubs/supervisor";

    /// <summary>The name of the message that announces a change.</summary>
    public const string ChangedMessage = "changed";

    /// <summary>Returns the SignalR group of a tenant's supervisor connections.</summary>
    public static string GroupOf(long tenantId) => "tenant:" + tenantId;

    /// <summary>
    /// Adds the connection to its tenant's group. Authorization has already checked the tenant and the role.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext()!;
        var company = (string)http.GetRouteValue("company")!;
        var environment = (string)http.GetRouteValue("environment")!;
        var tenant = await tenants.FindTenantAsync(company, environment, Context.ConnectionAborted);
        if (tenant is null)
        {
            // The tenant was deleted between authorization and the connect request.
            Context.Abort();
            return;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(tenant.Id), Context.ConnectionAborted);
        Log.Connected(logger, tenant.Id, Context.ConnectionId);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        Log.Disconnected(logger, Context.ConnectionId);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(9051, LogLevel.Debug, "Supervisor connection {ConnectionId} of tenant {TenantId} opened")]
        public static partial void Connected(ILogger logger, long tenantId, string connectionId);

        [LoggerMessage(9052, LogLevel.Debug, "Supervisor connection {ConnectionId} closed")]
        public static partial void Disconnected(ILogger logger, string connectionId);
    }
}
