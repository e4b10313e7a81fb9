using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RoutedEmail.Browser.Tests.Infrastructure;

/// <summary>The agent desktop in a browser page, with the steps an agent takes.</summary>
public sealed class DesktopPage : IAsyncDisposable
{
    private readonly Uri _baseAddress;
    private readonly List<string> _consoleErrors = [];

    public DesktopPage(IPage page, Uri baseAddress)
    {
        Page = page;
        _baseAddress = baseAddress;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The browser console's errors and warnings so far, for failure messages.</summary>
    public string ConsoleErrors
    {
        get
        {
            lock (_consoleErrors)
            {
                return string.Join(Environment.NewLine, _consoleErrors);
            }
        }
    }

    public ILocator Offers => Page.GetByTestId("offer");

    public ILocator Banner => Page.GetByTestId("connection-banner");

    public ILocator Status => Page.GetByTestId("status");

    public ILocator EmailDetail => Page.GetByTestId("email-detail");

    /// <summary>Opens <c>/</c>, which leads to the sign-in page while no agent is signed in.</summary>
    public async Task OpenAsync()
    {
        await Page.GotoAsync(_baseAddress.ToString());
        try
        {
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Agent sign-in" })).ToBeVisibleAsync();
        }
        catch (PlaywrightException exception)
        {
            throw new InvalidOperationException(
                $"The sign-in page did not show. Browser console:{Environment.NewLine}{ConsoleErrors}", exception);
        }
    }

    /// <summary>Signs in with the tenant's agent and waits for the desktop's live status.</summary>
    public async Task SignInAsync(string password = DesktopTenant.Password)
    {
        await Page.GetByLabel("Company code").FillAsync(DesktopTenant.CompanyCode);
        await Page.GetByLabel("Environment").FillAsync(DesktopTenant.Environment);
        await Page.GetByLabel("Agent id").FillAsync(DesktopTenant.AgentId);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Status).ToBeVisibleAsync();
    }

    /// <summary>Clicks a status button and waits until the status shows it.</summary>
    public async Task ChooseStatusAsync(string status)
    {
        await Page.GetByRole(AriaRole.Group, new() { Name = "Choose a status" })
            .GetByRole(AriaRole.Button, new() { Name = status, Exact = true }).ClickAsync();
        await Expect(Status).ToContainTextAsync(status);
    }

    /// <summary>Closes the page's browser context, which closes its hub connection.</summary>
    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();

    /// <summary>Saves a screenshot of the page into docs/images of the repository.</summary>
    public async Task SaveScreenshotAsync(string fileName)
    {
        var directory = Path.Combine(RepositoryRoot(), "docs", "images");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, fileName) });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoutedEmail.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No RoutedEmail.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
