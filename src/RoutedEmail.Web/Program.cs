using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using MudBlazor.Services;
using RoutedEmail.Web;
using RoutedEmail.Web.Services;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

builder.Services.AddMudServices();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddSingleton<SessionStore>();
builder.Services.AddSingleton<AgentApi>();
builder.Services.AddSingleton<DesktopState>();
builder.Services.AddSingleton<UserSessionClient>();
builder.Services.AddSingleton<SupervisorApi>();
builder.Services.AddSingleton<AdminApi>();
builder.Services.AddSingleton<WebhookAdminApi>();

await builder.Build().RunAsync();
