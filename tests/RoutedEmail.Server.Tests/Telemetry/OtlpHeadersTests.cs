using RoutedEmail.Server.Telemetry;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Telemetry;

/// <summary>
/// The check of <c>Telemetry:Otlp:Headers</c> at start: the OTLP header format, and messages that name the entry
/// without repeating a value, because values carry collector tokens.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class OtlpHeadersTests
{
    private const string Token = "c2VjcmV0LXRva2Vu";

    [Theory]
    [InlineData("authorization=Bearer%20" + Token)]
    [InlineData("x-api-key=" + Token + ",x-tenant=acme")]
    [InlineData(" x-api-key = " + Token + " ")]
    [InlineData("x-api-key=" + Token + "==")]
    [InlineData("x-api-key=50%25%20of%20" + Token)]
    [InlineData("x-api-key=" + Token + "%2Cx")]
    public void Validate_ValidHeaders_ReturnsNull(string headers)
    {
        Assert.Null(OtlpHeaders.Validate(headers));
    }

    [Theory]
    [InlineData(Token, "entry 1 has no '='")]
    [InlineData("x-api-key=" + Token + ",", "entry 2 has no '='")]
    [InlineData("x-api-key=" + Token + ",," + "x-b=1", "entry 2 has no '='")]
    [InlineData("=" + Token, "entry 1 has an empty key")]
    [InlineData("Bearer " + Token + "=x", "entry 1 has an empty key or a key that is not a header name")]
    [InlineData("x%41=" + Token, "entry 1 has an empty key or a key that is not a header name")]
    [InlineData("x-api-key=" + Token + ",X-Api-Key=" + Token, "entry 2 repeats the key")]
    [InlineData("x-api-key=", "entry 1 has an empty value")]
    [InlineData("x-api-key=%20", "entry 1 has an empty value")]
    [InlineData("x-api-key=" + Token + "%0D%0Ax-evil: 1", "entry 1 has a control character")]
    public void Validate_InvalidHeaders_NamesEntryNotValue(string headers, string expected)
    {
        var error = OtlpHeaders.Validate(headers);

        Assert.NotNull(error);
        Assert.StartsWith("Telemetry:Otlp:Headers ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InvalidHeaders_FailsWithoutValue()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => RoutedEmailApp.Build(
            ["--Telemetry:Otlp:Endpoint", "http://127.0.0.1:4318", "--Telemetry:Otlp:Headers", Token]));

        Assert.Contains("Telemetry:Otlp:Headers entry 1 has no '='", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HeadersWithoutEndpoint_StillChecked()
    {
        // The value is checked even while no endpoint is set, so a mistake shows before export is switched on.
        var exception = Assert.Throws<InvalidOperationException>(
            () => RoutedEmailApp.Build(["--Telemetry:Otlp:Headers", "x-api-key="]));

        Assert.Contains("Telemetry:Otlp:Headers entry 1 has an empty value", exception.Message,
            StringComparison.Ordinal);
    }
}
