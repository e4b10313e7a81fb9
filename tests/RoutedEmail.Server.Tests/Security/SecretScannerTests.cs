using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Security;

/// <summary>The scanner behind the suite's log scan finds what it must, so a passing scan means something.</summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class SecretScannerTests
{
    private const string Key = "k3y-0123456789abcdefghij";

    [Fact]
    public void Inspect_SecretRegisteredBefore_IsFound()
    {
        var scanner = new SecretScanner();
        scanner.Register(Key, "API key");

        scanner.Inspect($"Rejected key {Key} of tenant 7");

        var finding = Assert.Single(scanner.Findings);
        Assert.Contains("<API key>", finding, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_SecretLoggedBefore_IsFound()
    {
        var scanner = new SecretScanner();
        scanner.Inspect($"Created key {Key}");

        scanner.Register(Key, "API key");

        Assert.Single(scanner.Findings);
    }

    [Fact]
    public void Register_SecretLoggedBeforeRecentWindow_IsNotFound()
    {
        var scanner = new SecretScanner(recentCapacity: 2);
        scanner.Inspect($"Created key {Key}");
        scanner.Inspect("line 2");
        scanner.Inspect("line 3");

        scanner.Register(Key, "API key");

        Assert.Empty(scanner.Findings);
    }

    [Fact]
    public void Inspect_OnlyIdsAndShortValues_FindsNothing()
    {
        var scanner = new SecretScanner();
        scanner.Register(Key, "API key");
        scanner.Register("short", "attribute value");

        scanner.Inspect("Agent maria of tenant 7 accepted offer 12; a short line");

        Assert.Empty(scanner.Findings);
    }

    [Fact]
    public void Inspect_SecretsSharingPrefix_FindsLoggedOne()
    {
        var scanner = new SecretScanner();
        scanner.Register("password-maria", "password");
        scanner.Register("password-mario", "password");

        scanner.Inspect("password-mario");

        var finding = Assert.Single(scanner.Findings);
        Assert.Equal("password in: <password>", finding);
    }
}
