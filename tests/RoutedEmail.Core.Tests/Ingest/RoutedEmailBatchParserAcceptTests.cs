using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Ingest;
using static RoutedEmail.Core.Tests.Ingest.IngestBody;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>Bodies that the ingest contract accepts, including every limit at its maximum.</summary>
public sealed class RoutedEmailBatchParserAcceptTests
{
    public static TheoryData<string, string> ValidBodies()
    {
        var emojiValue = Emoji(IngestLimits.MaxAttributeLength);
        var escapedEmojiValue = string.Concat(Enumerable.Repeat(@"\ud83d\ude00", IngestLimits.MaxAttributeLength));
        return new TheoryData<string, string>
        {
            { "valid item", $"[{ValidItem}]" },
            { "attributes missing", $"[{Item(("attributes", null))}]" },
            { "attributes null", $"[{Item(("attributes", "null"))}]" },
            { "attributes empty", $"[{Item(("attributes", "[]"))}]" },
            { "exactly 10 attributes", $"[{Item(("attributes", Attributes(10)))}]" },
            { "attribute key and value 255 characters",
                $"[{Item(("attributes", $"[{Attribute(Letters(255), Letters(255))}]"))}]" },
            { "attribute value 255 emoji", $"[{Item(("attributes", $"[{Attribute("a", emojiValue)}]"))}]" },
            { "attribute key 255 emoji", $"[{Item(("attributes", $"[{Attribute(emojiValue, "b")}]"))}]" },
            { "attribute value 255 escaped emoji",
                $"[{Item(("attributes", $"[{Attribute("a", escapedEmojiValue)}]"))}]" },
            { "attribute value empty", $"[{Item(("attributes", $"[{Attribute("a", "")}]"))}]" },
            { "unknown attribute property", $"[{Item(("attributes", """[{"key":"a","value":"b","src":1}]"""))}]" },
            { "unknown item properties of every type",
                $"[{ValidItemWithMembers("""
                    "crmTicket":42,"tags":["a","b"],"meta":{"x":null},"urgent":true,"note":null,"score":-1.5e3
                    """)}]" },
            { "companyCode and environment 64 characters",
                $"[{Item(("companyCode", Quote(Letters(64))), ("environment", Quote(Emoji(64))))}]" },
            { "ownerId and entityId 255 characters",
                $"[{Item(("ownerId", Quote(Letters(255))), ("entityId", Quote(Emoji(255))))}]" },
            { "addresses and subject 998 characters",
                $"[{Item(("fromAddress", Quote(Letters(998))), ("toAddress", Quote(Letters(998))),
                    ("subject", Quote(Emoji(998))))}]" },
            { "subject empty", $"[{Item(("subject", Quote("")))}]" },
            { "escaped platform value", $"[{Item(("platform", Quote(@"AWS\u0020Connect")))}]" },
            { "escaped property name", $"[{ValidItem.Replace("\"subject\"", @"""subj\u0065ct""",
                StringComparison.Ordinal)}]" },
            { "whitespace between every token", $" \r\n\t[ \n{ValidItem.Replace(",", " ,\r\n ",
                StringComparison.Ordinal).Replace(":", "\t: ", StringComparison.Ordinal)} \n] \n" },
            { "attributes before other properties", $"[{ReorderedValidItem()}]" },
            { "depth 8 in unknown attribute property",
                $"[{Item(("attributes", """[{"key":"a","value":"b","extra":[[[[1]]]]}]"""))}]" },
        };
    }

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void Parse_ValidBody_ReturnsOneRequest(string caseName, string body)
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Accepted(result, caseName, 1);
    }

    [Fact]
    public void Parse_ValidItem_ReturnsEveryValue()
    {
        var result = RoutedEmailBatchParser.Parse(Utf8($"[{ValidItem}]"));

        IngestAssert.Accepted(result, "valid item", 1);
        var request = result.Requests[0];
        Assert.Equal("AWS Connect", request.Platform);
        Assert.Equal("abc-gadgets", request.CompanyCode);
        Assert.Equal("prod", request.Environment);
        Assert.Equal("USPartsSpanish", request.OwnerId);
        Assert.Equal("e94c0a8a-0b69-11ec-9a03-0242ac130003", request.EntityId);
        Assert.Equal("jtaylor@gmail.com", request.FromAddress);
        Assert.Equal("parts@gadgets.com", request.ToAddress);
        Assert.Equal("Replacement part for Model X45T", request.Subject);
        Assert.Equal(
            [new EmailAttribute("CustomerId", "7762123-01"), new EmailAttribute("Class", "Commercial")],
            request.Attributes);
    }

    [Fact]
    public void Parse_MissingCommaAfterEntityId_Rejected()
    {
        var body = "[" + ValidItem.Replace(
            "\"e94c0a8a-0b69-11ec-9a03-0242ac130003\",", "\"e94c0a8a-0b69-11ec-9a03-0242ac130003\"",
            StringComparison.Ordinal) + "]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "missing comma after entityId", null, null, ["not valid JSON"]);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Parse_NoAttributes_ReturnsEmptyList(string attributesJson)
    {
        var item = attributesJson == "missing" ? Item(("attributes", null)) : Item(("attributes", attributesJson));

        var result = RoutedEmailBatchParser.Parse(Utf8($"[{item}]"));

        IngestAssert.Accepted(result, $"attributes {attributesJson}", 1);
        Assert.Empty(result.Requests[0].Attributes);
    }

    [Fact]
    public void Parse_TenAttributes_KeepsOrder()
    {
        var result = RoutedEmailBatchParser.Parse(Utf8($"[{Item(("attributes", Attributes(10)))}]"));

        IngestAssert.Accepted(result, "exactly 10 attributes", 1);
        var expected = Enumerable.Range(0, 10).Select(index => new EmailAttribute($"key{index}", $"value{index}"));
        Assert.Equal(expected, result.Requests[0].Attributes);
    }

    [Fact]
    public void Parse_255EmojiValue_KeepsAll510CodeUnits()
    {
        var value = Emoji(255);

        var result = RoutedEmailBatchParser.Parse(Utf8($"[{Item(("attributes", $"[{Attribute("a", value)}]"))}]"));

        IngestAssert.Accepted(result, "255 emoji", 1);
        var parsed = result.Requests[0].Attributes[0].Value;
        Assert.Equal(510, parsed.Length);
        Assert.Equal(value, parsed);
    }

    [Fact]
    public void Parse_256EmojiValue_Rejected()
    {
        var body = $"[{Item(("attributes", $"[{Attribute("a", Emoji(256))}]"))}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "256 emoji", 0, "attributes[0].value", ["256 characters", "maximum is 255"]);
    }

    [Fact]
    public void Parse_EscapedSurrogatePair_DecodesToOneCharacter()
    {
        var body = $"[{Item(("subject", Quote(@"Hi \ud83d\ude00")))}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Accepted(result, "escaped surrogate pair", 1);
        Assert.Equal("Hi " + EmojiCharacter, result.Requests[0].Subject);
    }

    [Fact]
    public void Parse_UnknownProperties_AreIgnored()
    {
        var body = $"[{ValidItemWithMembers("\"crmTicket\":42,\"meta\":{\"subject\":\"Other\"}")}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Accepted(result, "unknown properties", 1);
        Assert.Equal("Replacement part for Model X45T", result.Requests[0].Subject);
    }

    [Fact]
    public void Parse_1000Items_ReturnsAllInOrder()
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(ValidItems(IngestLimits.MaxItems)));

        IngestAssert.Accepted(result, "1000 items", 1000);
        Assert.Equal("entity-0", result.Requests[0].EntityId);
        Assert.Equal("entity-999", result.Requests[999].EntityId);
    }

    [Fact]
    public void Parse_ValueWithEscapes_Unescapes()
    {
        var body = $"[{Item(("subject", Quote(@"Re: \""X45T\"" \\ parts\/\u00e9\n")))}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Accepted(result, "escaped subject", 1);
        Assert.Equal("Re: \"X45T\" \\ parts/\u00e9\n", result.Requests[0].Subject);
    }

    private static string ReorderedValidItem() =>
        """
        {"attributes":[],"subject":"s","toAddress":"t@x.com","fromAddress":"f@x.com",
        "entityId":"e-1","ownerId":"o-1","environment":"prod","companyCode":"abc","platform":"AWS Connect"}
        """.ReplaceLineEndings("");
}
