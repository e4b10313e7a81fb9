using RoutedEmail.Core.Ingest;
using static RoutedEmail.Core.Tests.Ingest.IngestBody;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>
/// The parser enforces the limits it is given, and each rejection names the setting of the limit it broke.
/// </summary>
public sealed class IngestLimitOptionsTests
{
    private static readonly IngestLimitOptions Low = new()
    {
        MaxItems = 2,
        MaxDepth = 4,
        MaxAttributes = 1,
        MaxAttributeLength = 5,
        MaxCodeLength = 11,
        MaxIdLength = 20,
        MaxDisplayLength = 10,
        MaxPropertiesPerObject = 10,
    };

    public static TheoryData<string, string, int?, string?, string> LowLimitCases() => new()
    {
        { "3 items", $"[{Small()},{Small()},{Small()}]", null, null, "more than 2 items (Ingest:MaxItems)" },
        { "depth 5", $"[{Small(("extra", "[[[1]]]"))}]", null, null, "maximum of 4 levels (Ingest:MaxDepth)" },
        { "2 attributes", $"[{Small(("attributes", $"[{Attribute("a", "1")},{Attribute("b", "2")}]"))}]", 0, "attributes", "(Ingest:MaxAttributes)" },
        { "attribute value of 6", $"[{Small(("attributes", $"[{Attribute("k", "123456")}]"))}]", 0,
            "attributes[0].value", "maximum is 5 (Ingest:MaxAttributeLength)" },
        { "subject of 11", $"[{Small(("subject", Quote(Letters(11))))}]", 0, "subject",
            "maximum is 10 (Ingest:MaxDisplayLength)" },
        { "entityId of 21", $"[{Small(("entityId", Quote(Letters(21))))}]", 0, "entityId",
            "maximum is 20 (Ingest:MaxIdLength)" },
        { "environment of 12", $"[{Small(("environment", Quote(Letters(12))))}]", 0, "environment",
            "maximum is 11 (Ingest:MaxCodeLength)" },
        { "11 properties", $"[{Small(("extra", "1"), ("other", "2"))}]", 0, null,
            "more than 10 properties (Ingest:MaxPropertiesPerObject)" },
    };

    [Theory]
    [MemberData(nameof(LowLimitCases))]
    public void Parse_PastLowLimit_RejectsNamingSetting(
        string caseName, string body, int? itemIndex, string? field, string keyword)
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(body), Low);

        IngestAssert.Rejected(result, caseName, itemIndex, field, [keyword]);
    }

    [Fact]
    public void Parse_WithinLowLimits_Accepts()
    {
        var body = $"[{Small(("attributes", $"[{Attribute("k", "12345")}]"))}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body), Low);

        IngestAssert.Accepted(result, "within low limits", 1);
    }

    [Fact]
    public void Parse_ManyUnknownProperties_RejectsAtDefaultLimit()
    {
        var members = string.Join(",", Enumerable.Range(0, 200).Select(index => $"\"extra{index}\":0"));

        var result = RoutedEmailBatchParser.Parse(Utf8($"[{ValidItemWithMembers(members)}]"));

        IngestAssert.Rejected(result, "200 unknown properties", 0, null,
            ["more than 100 properties (Ingest:MaxPropertiesPerObject)"]);
    }

    [Fact]
    public void Parse_ManyAttributeProperties_RejectsNamingAttribute()
    {
        var members = string.Join(",", Enumerable.Range(0, 200).Select(index => $"\"extra{index}\":0"));
        var attributes = $"[{{\"key\":\"k\",\"value\":\"v\",{members}}}]";

        var result = RoutedEmailBatchParser.Parse(Utf8($"[{Item(("attributes", attributes))}]"));

        IngestAssert.Rejected(result, "attribute with 202 properties", 0, "attributes[0]",
            ["more than 100 properties"]);
    }

    /// <summary>Builds an item whose texts fit the low limits, with the given changes applied after them.</summary>
    private static string Small(params (string Name, string? Json)[] changes) => Item(
    [
        ("entityId", Quote("e-1")), ("fromAddress", Quote("a@b")), ("toAddress", Quote("c@d")),
        ("subject", Quote("short")), ("attributes", "[]"), .. changes,
    ]);

    [Fact]
    public void Validate_Defaults_ReturnsNoError()
    {
        Assert.Empty(new IngestLimitOptions().Validate());
    }

    [Fact]
    public void Validate_OutOfRange_NamesEverySetting()
    {
        var options = new IngestLimitOptions
        {
            MaxBodyBytes = 10,
            MaxItems = 0,
            MaxDepth = 3,
            MaxAttributes = -1,
            MaxAttributeLength = 0,
            MaxCodeLength = 0,
            MaxIdLength = 0,
            MaxDisplayLength = 0,
            MaxPropertiesPerObject = 8,
        };

        var errors = string.Join(" ", options.Validate());

        foreach (var setting in new[]
        {
            "MaxBodyBytes", "MaxItems", "MaxDepth", "MaxAttributes", "MaxAttributeLength", "MaxCodeLength",
            "MaxIdLength", "MaxDisplayLength", "MaxPropertiesPerObject",
        })
        {
            Assert.Contains($"Ingest:{setting} is", errors, StringComparison.Ordinal);
        }
    }
}
