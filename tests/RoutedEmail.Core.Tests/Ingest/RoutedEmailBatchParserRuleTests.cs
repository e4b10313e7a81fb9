using RoutedEmail.Core.Ingest;
using static RoutedEmail.Core.Tests.Ingest.IngestBody;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>
/// One case per ingest rule. Item rules put the broken item at index 1 behind a valid item, so that each
/// error must name the right index.
/// </summary>
public sealed class RoutedEmailBatchParserRuleTests
{
    /// <summary>Cases as (case name, body, expected item index, expected field, keywords of the message).</summary>
    public sealed class RuleCases : TheoryData<string, string, int?, string?, string[]>
    {
        public void AddCase(string caseName, string body, int? itemIndex, string? field, params string[] keywords) =>
            Add(caseName, body, itemIndex, field, keywords);

        public void AddItemCase(string caseName, string item, string field, params string[] keywords) =>
            Add(caseName, AfterValidItem(item), 1, field, keywords);
    }

    public static RuleCases PlatformRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("other platform", Item(("platform", Quote("Genesys"))), "platform",
            "\"Genesys\"", "not supported", "\"AWS Connect\"");
        cases.AddItemCase("platform in lower case", Item(("platform", Quote("aws connect"))), "platform",
            "\"aws connect\"", "not supported", "\"AWS Connect\"");
        cases.AddItemCase("platform with trailing space", Item(("platform", Quote("AWS Connect "))), "platform",
            "not supported", "\"AWS Connect\"");
        cases.AddItemCase("platform empty", Item(("platform", Quote(""))), "platform",
            "not supported", "\"AWS Connect\"");
        return cases;
    }

    public static RuleCases MissingFieldRules()
    {
        var cases = new RuleCases();
        foreach (var field in MandatoryFields)
        {
            cases.AddItemCase($"{field} missing", Item((field, null)), field,
                "mandatory property is missing", $"Add \"{field}\" as a string");
        }

        return cases;
    }

    public static RuleCases WrongTypeRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("platform number", Item(("platform", "1")), "platform", "number", "not a string");
        cases.AddItemCase("companyCode true", Item(("companyCode", "true")), "companyCode", "boolean", "not a string");
        cases.AddItemCase("environment false", Item(("environment", "false")), "environment",
            "boolean", "not a string");
        cases.AddItemCase("ownerId null", Item(("ownerId", "null")), "ownerId", "is null", "Send a string");
        cases.AddItemCase("entityId object", Item(("entityId", "{}")), "entityId", "object", "not a string");
        cases.AddItemCase("fromAddress array", Item(("fromAddress", """["a@b.com"]""")), "fromAddress",
            "array", "not a string");
        cases.AddItemCase("toAddress decimal", Item(("toAddress", "3.5")), "toAddress", "number", "not a string");
        cases.AddItemCase("subject object", Item(("subject", """{"text":"hi"}""")), "subject",
            "object", "not a string");
        cases.AddItemCase("subject null", Item(("subject", "null")), "subject", "is null", "Send a string");
        return cases;
    }

    public static RuleCases LengthRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("companyCode 65 characters", Item(("companyCode", Quote(Letters(65)))), "companyCode",
            "65 characters", "maximum is 64");
        cases.AddItemCase("companyCode 65 emoji", Item(("companyCode", Quote(Emoji(65)))), "companyCode",
            "65 characters", "maximum is 64");
        cases.AddItemCase("environment 65 characters", Item(("environment", Quote(Letters(65)))), "environment",
            "65 characters", "maximum is 64");
        cases.AddItemCase("ownerId 256 characters", Item(("ownerId", Quote(Letters(256)))), "ownerId",
            "256 characters", "maximum is 255");
        cases.AddItemCase("entityId 256 characters", Item(("entityId", Quote(Letters(256)))), "entityId",
            "256 characters", "maximum is 255");
        cases.AddItemCase("fromAddress 999 characters", Item(("fromAddress", Quote(Letters(999)))), "fromAddress",
            "999 characters", "maximum is 998");
        cases.AddItemCase("toAddress 999 characters", Item(("toAddress", Quote(Letters(999)))), "toAddress",
            "999 characters", "maximum is 998");
        cases.AddItemCase("subject 999 characters", Item(("subject", Quote(Letters(999)))), "subject",
            "999 characters", "maximum is 998");
        cases.AddItemCase("subject 999 emoji", Item(("subject", Quote(Emoji(999)))), "subject",
            "999 characters", "maximum is 998");
        return cases;
    }

    public static RuleCases EmptyIdentifierRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("ownerId empty", Item(("ownerId", Quote(""))), "ownerId", "empty", "non-empty identifier");
        cases.AddItemCase("ownerId spaces", Item(("ownerId", Quote("   "))), "ownerId", "empty",
            "non-empty identifier");
        cases.AddItemCase("entityId empty", Item(("entityId", Quote(""))), "entityId", "empty",
            "non-empty identifier");
        cases.AddItemCase("entityId escaped whitespace", Item(("entityId", Quote(@"\t\r\n "))), "entityId",
            "empty", "non-empty identifier");
        cases.AddItemCase("entityId em space", Item(("entityId", Quote(@"\u2003"))), "entityId",
            "empty", "non-empty identifier");
        return cases;
    }

    public static RuleCases RepeatedPropertyRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("subject twice", ValidItemWithMembers("\"subject\":\"Other\""), "subject",
            "appears more than once", "Send each property once");
        cases.AddItemCase("subject twice, once escaped", ValidItemWithMembers(@"""subj\u0065ct"":""Other"""),
            "subject", "appears more than once");
        cases.AddItemCase("platform twice with equal values", ValidItemWithMembers("\"platform\":\"AWS Connect\""),
            "platform", "appears more than once");
        cases.AddItemCase("attributes twice", ValidItemWithMembers("\"attributes\":[]"), "attributes",
            "appears more than once");
        cases.AddItemCase("unknown property twice", ValidItemWithMembers("\"crmTicket\":1,\"crmTicket\":2"),
            "crmTicket", "appears more than once");
        return cases;
    }

    public static RuleCases MiscasedNameRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("Platform capitalized", Item(("platform", null), ("Platform", Quote("AWS Connect"))),
            "Platform", "letter case", "\"platform\"", "case-sensitive");
        cases.AddItemCase("COMPANYCODE upper case", Item(("companyCode", null), ("COMPANYCODE", Quote("abc"))),
            "COMPANYCODE", "letter case", "\"companyCode\"");
        cases.AddItemCase("ownerID", Item(("ownerId", null), ("ownerID", Quote("USPartsSpanish"))),
            "ownerID", "letter case", "\"ownerId\"");
        cases.AddItemCase("entityid", Item(("entityId", null), ("entityid", Quote("e-1"))),
            "entityid", "letter case", "\"entityId\"");
        cases.AddItemCase("Attributes capitalized", Item(("attributes", null), ("Attributes", "[]")),
            "Attributes", "letter case", "\"attributes\"");
        cases.AddItemCase("subject also sent as Subject", ValidItemWithMembers("\"Subject\":\"Other\""),
            "Subject", "letter case", "\"subject\"");

        cases.AddItemCase("attribute Key capitalized",
            Item(("attributes", """[{"Key":"CustomerId","value":"7762123-01"}]""")),
            "attributes[0].Key", "letter case", "\"key\"");
        cases.AddItemCase("attribute VALUE upper case",
            Item(("attributes", """[{"key":"CustomerId","VALUE":"7762123-01"}]""")),
            "attributes[0].VALUE", "letter case", "\"value\"");
        return cases;
    }

    public static RuleCases AttributeRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("attributes string", Item(("attributes", Quote("CustomerId"))), "attributes",
            "string", "not an array");
        cases.AddItemCase("attributes object", Item(("attributes", """{"key":"a","value":"b"}""")), "attributes",
            "object", "not an array");
        cases.AddItemCase("attributes number", Item(("attributes", "0")), "attributes", "number", "not an array");
        cases.AddItemCase("attributes boolean", Item(("attributes", "true")), "attributes", "boolean",
            "not an array");
        cases.AddItemCase("11 attributes", Item(("attributes", Attributes(11))), "attributes",
            "more than 10 attributes", "at most 10");
        cases.AddItemCase("attribute string", Item(("attributes", """["CustomerId"]""")), "attributes[0]",
            "string", "not an object");
        cases.AddItemCase("attribute null", Item(("attributes", $"[{Attribute("a", "b")},null]")),
            "attributes[1]", "null", "not an object");
        cases.AddItemCase("attribute array", Item(("attributes", """[["a","b"]]""")), "attributes[0]",
            "array", "not an object");
        cases.AddItemCase("attribute key missing", Item(("attributes", """[{"value":"b"}]""")),
            "attributes[0].key", "mandatory property is missing");
        cases.AddItemCase("attribute value missing", Item(("attributes", """[{"key":"a"}]""")),
            "attributes[0].value", "mandatory property is missing");
        cases.AddItemCase("attribute empty object", Item(("attributes", "[{}]")), "attributes[0].key",
            "mandatory property is missing");
        cases.AddItemCase("attribute key null", Item(("attributes", """[{"key":null,"value":"b"}]""")),
            "attributes[0].key", "is null");
        cases.AddItemCase("attribute value null", Item(("attributes", """[{"key":"a","value":null}]""")),
            "attributes[0].value", "is null");
        cases.AddItemCase("attribute key number", Item(("attributes", """[{"key":7,"value":"b"}]""")),
            "attributes[0].key", "number", "not a string");
        cases.AddItemCase("attribute value boolean", Item(("attributes", """[{"key":"a","value":false}]""")),
            "attributes[0].value", "boolean", "not a string");
        cases.AddItemCase("attribute value object", Item(("attributes", """[{"key":"a","value":{}}]""")),
            "attributes[0].value", "object", "not a string");
        cases.AddItemCase("attribute key empty", Item(("attributes", $"[{Attribute("", "b")}]")),
            "attributes[0].key", "key is empty");
        return cases;
    }

    public static RuleCases AttributeLengthRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("attribute key 256 characters",
            Item(("attributes", $"[{Attribute("a", "b")},{Attribute(Letters(256), "b")}]")),
            "attributes[1].key", "256 characters", "maximum is 255");
        cases.AddItemCase("attribute value 256 characters",
            Item(("attributes", $"[{Attribute("a", "b")},{Attribute("c", Letters(256))}]")),
            "attributes[1].value", "256 characters", "maximum is 255");
        cases.AddItemCase("attribute key 256 emoji",
            Item(("attributes", $"[{Attribute(Emoji(256), "b")}]")),
            "attributes[0].key", "256 characters", "maximum is 255");
        cases.AddItemCase("attribute value 256 emoji",
            Item(("attributes", $"[{Attribute("a", Emoji(256))}]")),
            "attributes[0].value", "256 characters", "maximum is 255");
        cases.AddItemCase("attribute value 256 escaped emoji",
            Item(("attributes", $"[{Attribute("a", string.Concat(Enumerable.Repeat(@"\ud83d\ude00", 256)))}]")),
            "attributes[0].value", "256 characters", "maximum is 255");
        return cases;
    }

    public static RuleCases RepeatedAttributeRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("attribute key repeated",
            Item(("attributes", $"[{Attribute("CustomerId", "1")},{Attribute("CustomerId", "2")}]")),
            "attributes[1].key", "\"CustomerId\"", "earlier attribute", "distinct key");
        cases.AddItemCase("attribute key repeated after others",
            Item(("attributes", $"[{Attribute("a", "1")},{Attribute("b", "2")},{Attribute("a", "3")}]")),
            "attributes[2].key", "\"a\"", "earlier attribute");
        cases.AddItemCase("attribute key repeated with equal values",
            Item(("attributes", $"[{Attribute("a", "1")},{Attribute("a", "1")}]")),
            "attributes[1].key", "earlier attribute");
        cases.AddItemCase("attribute with key property twice",
            Item(("attributes", """[{"key":"a","key":"b","value":"c"}]""")),
            "attributes[0].key", "appears more than once");
        cases.AddItemCase("attribute with value property twice",
            Item(("attributes", """[{"key":"a","value":"b","value":"c"}]""")),
            "attributes[0].value", "appears more than once");
        return cases;
    }

    public static RuleCases UnpairedSurrogateRules()
    {
        var cases = new RuleCases();
        cases.AddItemCase("subject lone high surrogate", Item(("subject", Quote(@"\ud800"))), "subject",
            "unpaired surrogate", "complete UTF-16 surrogate pairs");
        cases.AddItemCase("attribute key lone high surrogate",
            Item(("attributes", $"[{Attribute(@"\ud800", "b")}]")),
            "attributes[0].key", "unpaired surrogate");
        cases.AddItemCase("attribute value lone low surrogate",
            Item(("attributes", $"[{Attribute("a", @"\udfff")}]")),
            "attributes[0].value", "unpaired surrogate");
        cases.AddCase("property name lone surrogate", AfterValidItem(ValidItemWithMembers(@"""x\ud800"":""y""")), 1, null,
            "Item 1", "property name", "unpaired surrogate");
        cases.AddItemCase("attribute property name lone surrogate",
            Item(("attributes", """[{"key":"a","value":"b","\udc00":"c"}]""")),
            "attributes[0]", "property name", "unpaired surrogate");
        return cases;
    }

    public static RuleCases BodyShapeRules()
    {
        var cases = new RuleCases();
        cases.AddCase("empty array", "[]", null, null, "empty array", "at least one");
        cases.AddCase("empty array with whitespace", "[ \r\n\t ]", null, null, "empty array");
        cases.AddCase("body an object", ValidItem, null, null, "object", "not an array", "Wrap");
        cases.AddCase("body a string", "\"hello\"", null, null, "string", "not an array");
        cases.AddCase("body a number", "42", null, null, "number", "not an array");
        cases.AddCase("body true", "true", null, null, "boolean", "not an array");
        cases.AddCase("body null", "null", null, null, "null", "not an array");
        cases.AddCase("item a number", AfterValidItem("42"), 1, null, "number", "not an object");
        cases.AddCase("item a string", "[\"item\"]", 0, null, "string", "not an object");
        cases.AddCase("item an array", $"[[{ValidItem}]]", 0, null, "array", "not an object");
        cases.AddCase("item null", AfterValidItem("null"), 1, null, "null", "not an object");
        return cases;
    }

    [Theory]
    [MemberData(nameof(PlatformRules))]
    [MemberData(nameof(MissingFieldRules))]
    [MemberData(nameof(WrongTypeRules))]
    [MemberData(nameof(LengthRules))]
    [MemberData(nameof(EmptyIdentifierRules))]
    [MemberData(nameof(RepeatedPropertyRules))]
    [MemberData(nameof(MiscasedNameRules))]
    [MemberData(nameof(AttributeRules))]
    [MemberData(nameof(AttributeLengthRules))]
    [MemberData(nameof(RepeatedAttributeRules))]
    [MemberData(nameof(UnpairedSurrogateRules))]
    [MemberData(nameof(BodyShapeRules))]
    public void Parse_BrokenRule_ReturnsErrorNamingItemFieldAndRule(
        string caseName, string body, int? itemIndex, string? field, string[] keywords)
    {
        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, caseName, itemIndex, field, keywords);
    }

    [Fact]
    public void Parse_ItemError_MessagePrefixesItemAndField()
    {
        var body = AfterValidItem(Item(("subject", Quote(Letters(999)))));

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        Assert.NotNull(result.Error);
        Assert.StartsWith("Item 1, field \"subject\": ", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_1001Items_ReturnsItemCountError()
    {
        var body = ValidItems(1001);

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "1001 items", null, null, ["more than 1000 items", "at most 1000"]);
    }

    [Fact]
    public void Parse_ErrorInLastOf1000Items_NamesIndex999()
    {
        var items = Enumerable.Range(0, 999).Select(index => Item(("entityId", Quote($"entity-{index}"))));
        var body = "[" + string.Join(",", items) + "," + Item(("platform", Quote("Genesys"))) + "]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "error in item 999", 999, "platform", ["not supported"]);
    }

    [Fact]
    public void Parse_TwoBadItems_ReturnsFirstError()
    {
        var body = $"[{Item(("ownerId", Quote("")))},{Item(("platform", Quote("Genesys")))}]";

        var result = RoutedEmailBatchParser.Parse(Utf8(body));

        IngestAssert.Rejected(result, "errors in items 0 and 1", 0, "ownerId", ["empty"]);
    }
}
