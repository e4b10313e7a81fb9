namespace RoutedEmail.Server.Hosting;

/// <summary>
/// Serves the Blazor WebAssembly app of the RoutedEmail.Web project: the agent desktop at <c>/</c> and under
/// <c>/agent</c>, the supervisor dashboard under <c>/supervisor</c> and the administration pages under <c>/admin</c>.
/// </summary>
internal static class WebUi
{
    /// <summary>The app's routes that return its <c>index.html</c>; the app's router picks the page.</summary>
    private static readonly string[] PagePatterns =
    [
        "/", "/agent", "/agent/{**page}", "/supervisor", "/supervisor/{**page}", "/admin", "/admin/{**page}",
    ];

    /// <summary>
    /// Makes the app's files servable. After a build (<c>dotnet run</c>, tests) they are the static web assets that
    /// the server's <c>RoutedEmail.Server.staticwebassets.runtime.json</c> lists, in the Web project's folders and
    /// its packages. After a publish they are in <c>wwwroot</c>, and that manifest is absent.
    /// </summary>
    public static void AddWebUi(this WebApplicationBuilder builder)
    {
        // ASP.NET Core loads the manifest on its own only in the Development environment and under the entry
        // assembly's name, which is testhost in tests, so it is named here.
        var manifest = Path.Combine(AssemblyDirectory, "RoutedEmail.Server.staticwebassets.runtime.json");
        if (File.Exists(manifest))
        {
            builder.WebHost.UseSetting(WebHostDefaults.StaticWebAssetsKey, manifest);
            builder.WebHost.UseStaticWebAssets();
        }
    }

    /// <summary>Maps the app's files and pages.</summary>
    public static void MapWebUi(this WebApplication app)
    {
        // The endpoint manifest maps the fingerprinted names that the app's boot files request, such as
        // _framework/RoutedEmail.Web.3fzihfgwo0.wasm, and sets their caching and integrity headers.
        app.MapStaticAssets(Path.Combine(AssemblyDirectory, "RoutedEmail.Server.staticwebassets.endpoints.json"));
        foreach (var pattern in PagePatterns)
        {
            app.MapFallbackToFile(pattern, "index.html");
        }
    }

    /// <summary>The server assembly's folder, where the build puts the static web asset manifests.</summary>
    private static string AssemblyDirectory =>
        Path.GetDirectoryName(typeof(WebUi).Assembly.Location) is { Length: > 0 } directory
            ? directory
            : AppContext.BaseDirectory;
}
