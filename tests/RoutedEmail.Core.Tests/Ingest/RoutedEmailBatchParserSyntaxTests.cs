using System.Text;
using RoutedEmail.Core.Ingest;
using static RoutedEmail.Core.Tests.Ingest.IngestBody;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>
/// Strict JSON (RFC 8259), UTF-8 only and the depth limit. These errors concern the body as a whole, so they carry
/// no item index and no field.
/// </summary>
public sealed class RoutedEmailBatchParserSyntaxTests
{
    /// <summary>Cases as (case name, body, keywords of the message).</summary>
    public sealed class SyntaxCases : TheoryData<string, string, string[]>
    {
        public void AddCase(string caseName, string body, params string[] keywords) => Add(caseName, body, keywords);
    }

    public static SyntaxCases StrictJsonCases()
    {
        var cases = new SyntaxCases();
        cases.AddCase("line comment after array", $"[{ValidItem}] // sent by CRM", "content after");
        cases.AddCase("line comment before array", $"// sent by CRM\n[{ValidItem}]", "not valid JSON");
        cases.AddCase("block comment in item", $"[{Item(("subject", "/* note */ \"Hello\""))}]", "not valid JSON");
        cases.AddCase("trailing comma after last item", $"[{ValidItem},]", "not valid JSON", "trailing commas");
        cases.AddCase("trailing comma in item", $"[{ValidItem[..^1]},}}]", "not valid JSON");
        cases.AddCase("trailing comma in attributes", $"[{Item(("attributes", $"[{Attribute("a", "b")},]"))}]",
            "not valid JSON");
        cases.AddCase("trailing comma in attribute", $"[{Item(("attributes", """[{"key":"a","value":"b",}]"""))}]",
            "not valid JSON");
        cases.AddCase("single-quoted string", $"[{Item(("subject", "'Hello'"))}]", "not valid JSON");
        cases.AddCase("unquoted property name", $"[{ValidItemWithMembers("crmTicket:1")}]", "not valid JSON");
        cases.AddCase("NaN in unknown property", $"[{ValidItemWithMembers("\"score\":NaN")}]", "not valid JSON");
        cases.AddCase("leading zero in unknown property", $"[{ValidItemWithMembers("\"score\":01")}]",
            "not valid JSON");
        cases.AddCase("raw tab in string", $"[{Item(("subject", "\"Hello\tthere\""))}]", "not valid JSON");
        cases.AddCase("raw newline in string", $"[{Item(("subject", "\"Hello\nthere\""))}]", "not valid JSON");
        cases.AddCase("invalid escape", $"[{Item(("subject", Quote(@"\x41")))}]", "not valid JSON");
        cases.AddCase("short unicode escape", $"[{Item(("subject", Quote(@"\u41")))}]", "not valid JSON");
        cases.AddCase("missing comma between members",
            "[" + ValidItem.Replace("\"prod\",", "\"prod\"", StringComparison.Ordinal) + "]", "not valid JSON");
        cases.AddCase("missing comma between items", $"[{ValidItem} {ValidItem}]", "not valid JSON");
        cases.AddCase("unclosed array", $"[{ValidItem}", "not valid JSON");
        cases.AddCase("unclosed string", """[{"platform":"AWS Connect""", "not valid JSON");
        cases.AddCase("byte order mark inside body", $"[\uFEFF{ValidItem}]", "not valid JSON");
        return cases;
    }

    public static SyntaxCases TrailingContentCases()
    {
        var cases = new SyntaxCases();
        cases.AddCase("word after array", $"[{ValidItem}] x", "content after");
        cases.AddCase("second array", $"[{ValidItem}][{ValidItem}]", "content after");
        cases.AddCase("second array after comma", $"[{ValidItem}],[{ValidItem}]", "content after");
        cases.AddCase("object after array", $"[{ValidItem}]\n{ValidItem}", "content after");
        cases.AddCase("number after array", $"[{ValidItem}] 1", "content after");
        cases.AddCase("string after array", $"[{ValidItem}] \"x\"", "content after");
        cases.AddCase("closing bracket after array", $"[{ValidItem}]]", "content after");
        cases.AddCase("NUL after array", $"[{ValidItem}]\0", "content after");
        return cases;
    }

    public static SyntaxCases DepthCases()
    {
        var cases = new SyntaxCases();

        // Depth counts the body array as 1 and each item as 2, so seven nested arrays reach 9.
        cases.AddCase("depth 9 in unknown item property", $"[{ValidItemWithMembers("\"extra\":[[[[[[[1]]]]]]]")}]",
            "depth", "8");

        // Depth counts the attributes array as 3 and each attribute as 4, so five more arrays reach 9.
        cases.AddCase("depth 9 in unknown attribute property",
            $"[{Item(("attributes", """[{"key":"a","value":"b","extra":[[[[[1]]]]]}]"""))}]", "depth", "8");
        cases.AddCase("depth 9 of objects in unknown item property",
            $"[{ValidItemWithMembers("\"extra\":" + """{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}""")}]", "depth", "8");
        cases.AddCase("depth 100 in unknown item property",
            $"[{ValidItemWithMembers("\"extra\":" + new string('[', 98) + new string(']', 98))}]", "depth", "8");
        return cases;
    }

    [Theory]
    [MemberData(nameof(StrictJsonCases))]
    [MemberData(nameof(TrailingContentCases))]
    [MemberData(nameof(DepthCases))]
    public void Parse_InvalidJson_ReturnsBodyError(string caseName, string body, string[] keywords)
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, caseName, null, null, keywords);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public void Parse_EmptyBody_ReturnsEmptyBodyError(string body)
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "empty body", null, null, ["empty", "Send a JSON array"]);
    }

    [Fact]
    public void Parse_Depth8_Accepted()
    {
        var body = $"[{ValidItemWithMembers("\"extra\":[[[[[[1]]]]]]")}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Accepted(result, "depth 8", 1);
    }

    [Theory]
    [InlineData("FF")]
    [InlineData("FE")]
    [InlineData("80")]
    [InlineData("C3")]
    [InlineData("C0AF")]
    [InlineData("E282")]
    [InlineData("EDA080")]
    [InlineData("EDBFBF")]
    [InlineData("F4908080")]
    [InlineData("F880808080")]
    public void Parse_InvalidUtf8InSubject_ReturnsEncodingError(string invalidBytesHex)
    {
        var body = Utf8ItemWithRawSubject(Convert.FromHexString(invalidBytesHex));

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Rejected(result, $"bytes {invalidBytesHex} in subject", null, null, ["not valid UTF-8"]);
    }

    [Fact]
    public void Parse_InvalidUtf8InIgnoredProperty_Rejected()
    {
        var prefix = Utf8($"[{ValidItem[..^1]},\"note\":\"");
        var suffix = Utf8("\"}]");
        byte[] body = [.. prefix, 0xC3, 0x28, .. suffix];

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Rejected(result, "invalid UTF-8 in unknown property", null, null, ["not valid UTF-8"]);
    }

    [Fact]
    public void Parse_InvalidUtf8OutsideStrings_ReturnsEncodingError()
    {
        byte[] body = [0xFF, .. Utf8($"[{ValidItem}]")];

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Rejected(result, "invalid byte before array", null, null, ["not valid UTF-8"]);
    }

    [Fact]
    public void Parse_Utf16Body_Rejected()
    {
        var body = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes($"[{ValidItem}]")).ToArray();

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Rejected(result, "UTF-16 body with byte order mark", null, null, ["UTF-8"]);
    }

    [Fact]
    public void Parse_Utf8ByteOrderMark_Accepted()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Utf8($"[{ValidItem}]")];

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Accepted(result, "leading byte order mark", 1);
        Assert.Equal("AWS Connect", result.Requests[0].Platform);
    }

    [Fact]
    public void Parse_TwoByteOrderMarks_Rejected()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. Utf8($"[{ValidItem}]")];

        var result = RoutedEmailBatchParser.Parse(body);

        IngestAssert.Rejected(result, "two byte order marks", null, null, ["not valid JSON"]);
    }

    [Fact]
    public void Parse_ByteOrderMarkOnly_Rejected()
    {
        byte[] body = [0xEF, 0xBB, 0xBF];

        var result = RoutedEmailBatchParser.Parse(body);

        Assert.NotNull(result.Error);
        Assert.Null(result.Error.ItemIndex);
        Assert.Empty(result.Requests);
    }

    [Theory]
    [InlineData(@"\ud800")]
    [InlineData(@"\udbff")]
    [InlineData(@"\udc00")]
    [InlineData(@"\uDFFF")]
    [InlineData(@"abc\ud800def")]
    [InlineData(@"\ud800\u0041")]
    [InlineData(@"\ud800\ud800")]
    [InlineData(@"\udc00\ud800")]
    [InlineData(@"\ude00\ud83d")]
    [InlineData(@"\ud83d\ude00\ud83d")]
    public void Parse_UnpairedSurrogateEscape_ReturnsErrorWithoutThrowing(string escapedText)
    {
        var body = Utf8(AfterValidItem(Item(("subject", Quote(escapedText)))));
        IngestParseResult? result = null;

        var exception = Record.Exception(() => result = RoutedEmailBatchParser.Parse(body));

        Assert.Null(exception);
        Assert.NotNull(result);
        IngestAssert.Rejected(result, escapedText, 1, "subject", ["unpaired surrogate"]);
    }

    [Fact]
    public void Parse_EncodedSurrogate_RejectedWithoutThrowing()
    {
        var prefix = Utf8($"[{ValidItem[..^1]},\"subject2\":\"");
        var suffix = Utf8("\"}]");
        byte[] body = [.. prefix, 0xED, 0xA0, 0x80, .. suffix];
        IngestParseResult? result = null;

        var exception = Record.Exception(() => result = RoutedEmailBatchParser.Parse(body));

        Assert.Null(exception);
        Assert.NotNull(result);
        IngestAssert.Rejected(result, "UTF-8 encoded surrogate", null, null, ["not valid UTF-8"]);
    }

    private static byte[] Utf8ItemWithRawSubject(byte[] subjectBytes)
    {
        var item = Item(("subject", "\"SUBJECT\""));
        var parts = $"[{item}]".Split("SUBJECT");
        return [.. Utf8(parts[0]), .. subjectBytes, .. Utf8(parts[1])];
    }
}
