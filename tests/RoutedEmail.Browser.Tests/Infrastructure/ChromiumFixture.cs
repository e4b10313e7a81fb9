using Microsoft.Playwright;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the whole browser suite: Debian's /usr/bin/chromium, which scripts/chromium installs,
/// because Playwright's own browser download does not work on our machines. Each test opens its own context.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The longest a single browser step waits, so a broken page fails a test instead of hanging it.</summary>
    public const float StepTimeoutMilliseconds = 20_000;

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath),
            $"{ExecutablePath} is missing. Run scripts/chromium as root to install Debian's Chromium.");
        Assertions.SetDefaultExpectTimeout(StepTimeoutMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// Opens the desktop's page in a new browser context, with its own sessionStorage, at the given viewport. Dispose
    /// it before the server, so the server stops without waiting for the page's hub connection.
    /// </summary>
    public async Task<DesktopPage> OpenDesktopAsync(Uri baseAddress, int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(StepTimeoutMilliseconds);
        return new DesktopPage(await context.NewPageAsync(), baseAddress);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one Chromium and run one at a time, so each gets the machine's cores.</summary>
[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium";
}
