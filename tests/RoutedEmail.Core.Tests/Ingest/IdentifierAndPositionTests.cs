using System.Text;
using RoutedEmail.Core.Ingest;

namespace RoutedEmail.Core.Tests.Ingest;

public sealed class IdentifierAndPositionTests
{
    private const string Item =
        """{"platform":"AWS Connect","companyCode":"acme","environment":"prod","ownerId":"OWNER","entityId":"ENTITY","fromAddress":"","toAddress":"","subject":""}""";

    [Theory]
    [InlineData("toAddress")]
    [InlineData("fromAddress")]
    [InlineData("subject")]
    public void Parse_NulCharacterInText_Rejected(string field)
    {
        var body = "[" + Item.Replace($"\"{field}\":\"\"", $"\"{field}\":\"a\\u0000b\"", StringComparison.Ordinal) + "]";

        var error = RoutedEmailBatchParser.Parse(Encoding.UTF8.GetBytes(body)).Error;

        Assert.NotNull(error);
        Assert.Equal(0, error.ItemIndex);
        Assert.Equal(field, error.Field);
        Assert.Contains("NUL (\\u0000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NulCharacterInAttributeValue_Rejected()
    {
        var body = "[" + Item.Replace("}", ",\"attributes\":[{\"key\":\"k\",\"value\":\"a\\u0000\"}]}",
            StringComparison.Ordinal) + "]";

        var error = RoutedEmailBatchParser.Parse(Encoding.UTF8.GetBytes(body)).Error;

        Assert.NotNull(error);
        Assert.Equal(0, error.ItemIndex);
        Assert.Contains("NUL (\\u0000)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("entityId", "e\\u0000x")]
    [InlineData("entityId", "line\\nbreak")]
    [InlineData("ownerId", "owner\\u0007")]
    [InlineData("entityId", "a\\u0085b")]
    public void Parse_ControlCharacterInId_Rejected(string field, string escapedValue)
    {
        var body = "[" + Item.Replace(field == "entityId" ? "ENTITY" : "OWNER", escapedValue, StringComparison.Ordinal) + "]";

        var error = RoutedEmailBatchParser.Parse(Encoding.UTF8.GetBytes(body)).Error;

        Assert.NotNull(error);
        Assert.Equal(0, error.ItemIndex);
        Assert.Equal(field, error.Field);
        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WhitespaceOnlyEntityId_SaysWhitespace()
    {
        var body = "[" + Item.Replace("ENTITY", "\\t", StringComparison.Ordinal) + "]";

        var error = RoutedEmailBatchParser.Parse(Encoding.UTF8.GetBytes(body)).Error;

        Assert.NotNull(error);
        Assert.Contains("only whitespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SyntaxError_PositionCountsFromOne()
    {
        var error = RoutedEmailBatchParser.Parse("[{\"a\":1 \"b\":2}]"u8).Error;

        Assert.NotNull(error);
        Assert.Contains("(line 1, byte 9)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }
}
