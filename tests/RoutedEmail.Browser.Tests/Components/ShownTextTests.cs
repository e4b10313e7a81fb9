using RoutedEmail.Web.Services;

namespace RoutedEmail.Browser.Tests.Components;

public sealed class ShownTextTests
{
    [Theory]
    [InlineData("\u202Eexe.live", "\uFFFDexe.live")]
    [InlineData("a\u202Ab\u202Bc\u202Cd\u202De", "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe")]
    [InlineData("\u2066isolated\u2069 \u2067x\u2068", "\uFFFDisolated\uFFFD \uFFFDx\uFFFD")]
    public void Of_BidiControls_Replaced(string text, string expected)
    {
        Assert.Equal(expected, ShownText.Of(text));
    }

    [Theory]
    [InlineData("Replacement part for Model X45T")]
    [InlineData("שלום עולם")]
    [InlineData("مرحبا \u200F mark")]
    [InlineData("")]
    public void Of_OrdinaryText_Unchanged(string text)
    {
        Assert.Equal(text, ShownText.Of(text));
    }

    [Fact]
    public void Of_Null_ReturnsEmpty()
    {
        Assert.Equal(string.Empty, ShownText.Of(null));
    }
}
