using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Core.Tests.Ingest;

public sealed class RoutedEmailBatchValidatorTests
{
    [Fact]
    public void CheckTenant_EveryItemMatches_ReturnsNull()
    {
        var tenant = NewTenant("abc-gadgets", "prod");
        RoutedEmailRequest[] requests = [NewRequest("abc-gadgets", "prod"), NewRequest("abc-gadgets", "prod")];

        var error = RoutedEmailBatchValidator.CheckTenant(requests, tenant);

        Assert.Null(error);
    }

    [Theory]
    [InlineData("ABC-Gadgets", "PROD")]
    [InlineData("abc-gadgets", "Prod")]
    [InlineData("Abc-GADGETS", "prod")]
    public void CheckTenant_DifferentLetterCase_ReturnsNull(string companyCode, string environment)
    {
        var tenant = NewTenant("abc-gadgets", "prod");
        RoutedEmailRequest[] requests = [NewRequest(companyCode, environment)];

        var error = RoutedEmailBatchValidator.CheckTenant(requests, tenant);

        Assert.Null(error);
    }

    [Fact]
    public void CheckTenant_NoItems_ReturnsNull()
    {
        var error = RoutedEmailBatchValidator.CheckTenant([], NewTenant("abc-gadgets", "prod"));

        Assert.Null(error);
    }

    [Theory]
    [InlineData("other-co", "prod", "companyCode", "\"other-co\"", "X-sc-company-code", "\"abc-gadgets\"")]
    [InlineData("abc-gadget", "prod", "companyCode", "\"abc-gadget\"", "X-sc-company-code", "\"abc-gadgets\"")]
    [InlineData("abc-gadgets", "staging", "environment", "\"staging\"", "X-sc-company-environment", "\"prod\"")]
    [InlineData("abc-gadgets", "prod ", "environment", "\"prod \"", "X-sc-company-environment", "\"prod\"")]
    [InlineData("other-co", "staging", "companyCode", "\"other-co\"", "X-sc-company-code", "\"abc-gadgets\"")]
    public void CheckTenant_Mismatch_ReturnsErrorForItemAndField(
        string companyCode, string environment, string field, string sentValue, string header, string expectedValue)
    {
        var tenant = NewTenant("abc-gadgets", "prod");
        RoutedEmailRequest[] requests = [NewRequest("abc-gadgets", "prod"), NewRequest(companyCode, environment)];

        var error = RoutedEmailBatchValidator.CheckTenant(requests, tenant);

        Assert.NotNull(error);
        Assert.Equal(1, error.ItemIndex);
        Assert.Equal(field, error.Field);
        Assert.Contains("Item 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(sentValue, error.Message, StringComparison.Ordinal);
        Assert.Contains(header, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedValue, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckTenant_TwoMismatchedItems_ReturnsFirst()
    {
        var tenant = NewTenant("abc-gadgets", "prod");
        RoutedEmailRequest[] requests =
            [NewRequest("abc-gadgets", "prod"), NewRequest("abc-gadgets", "dev"), NewRequest("other-co", "prod")];

        var error = RoutedEmailBatchValidator.CheckTenant(requests, tenant);

        Assert.NotNull(error);
        Assert.Equal(1, error.ItemIndex);
        Assert.Equal("environment", error.Field);
    }

    [Fact]
    public void CheckOwners_EveryOwnerEnabled_ReturnsNull()
    {
        var configurations = NewConfigurations(("USPartsSpanish", true), ("USPartsEnglish", true));
        RoutedEmailRequest[] requests = [NewRequest(ownerId: "USPartsSpanish"), NewRequest(ownerId: "USPartsEnglish")];

        var error = RoutedEmailBatchValidator.CheckOwners(requests, configurations);

        Assert.Null(error);
    }

    [Fact]
    public void CheckOwners_UnknownOwner_ReturnsErrorForItem()
    {
        var configurations = NewConfigurations(("USPartsSpanish", true));
        RoutedEmailRequest[] requests = [NewRequest(ownerId: "USPartsSpanish"), NewRequest(ownerId: "USPartsFrench")];

        var error = RoutedEmailBatchValidator.CheckOwners(requests, configurations);

        Assert.NotNull(error);
        Assert.Equal(1, error.ItemIndex);
        Assert.Equal("ownerId", error.Field);
        Assert.Contains("Item 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"ownerId\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"USPartsFrench\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("no routed email configuration exists", error.Message, StringComparison.Ordinal);
        Assert.Contains("Create one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckOwners_DisabledOwner_ReturnsErrorForItem()
    {
        var configurations = NewConfigurations(("USPartsSpanish", true), ("USPartsLegacy", false));
        RoutedEmailRequest[] requests = [NewRequest(ownerId: "USPartsSpanish"), NewRequest(ownerId: "USPartsLegacy")];

        var error = RoutedEmailBatchValidator.CheckOwners(requests, configurations);

        Assert.NotNull(error);
        Assert.Equal(1, error.ItemIndex);
        Assert.Equal("ownerId", error.Field);
        Assert.Contains("Item 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"USPartsLegacy\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("is disabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("Enable it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckOwners_NoConfigurations_ReturnsError()
    {
        RoutedEmailRequest[] requests = [NewRequest(ownerId: "USPartsSpanish")];

        var error = RoutedEmailBatchValidator.CheckOwners(requests, NewConfigurations());

        Assert.NotNull(error);
        Assert.Equal(0, error.ItemIndex);
        Assert.Equal("ownerId", error.Field);
    }

    [Fact]
    public void CheckOwners_NoItems_ReturnsNull()
    {
        var error = RoutedEmailBatchValidator.CheckOwners([], NewConfigurations(("USPartsSpanish", false)));

        Assert.Null(error);
    }

    private static Tenant NewTenant(string companyCode, string environment) =>
        new(1, companyCode, environment, "us-east-1", "America/Chicago");

    private static RoutedEmailRequest NewRequest(
        string companyCode = "abc-gadgets", string environment = "prod", string ownerId = "USPartsSpanish") =>
        new("AWS Connect", companyCode, environment, ownerId, "e94c0a8a-0b69-11ec-9a03-0242ac130003",
            "jtaylor@gmail.com", "parts@gadgets.com", "Replacement part for Model X45T", []);

    private static Dictionary<string, RoutedEmailConfiguration> NewConfigurations(
        params (string OwnerId, bool Enabled)[] owners) =>
        owners.ToDictionary(
            owner => owner.OwnerId,
            owner => new RoutedEmailConfiguration(owner.OwnerId, "Parts", 1, owner.Enabled, "Parts requests", null),
            StringComparer.Ordinal);
}
