using System.Text;
using System.Text.Json;
using RoutedEmail.Core.Emails;
using RoutedEmail.Core.Ingest;
using RoutedEmail.Core.Tenants;

namespace RoutedEmail.Core.Tests.Ingest.Fuzz;

/// <summary>
/// The properties every ingest body must keep, whatever its bytes: parsing and validation never throw, an accepted
/// body is valid JSON whose items obey every rule, and a rejection names the item and field it blames.
/// </summary>
internal static class IngestOracle
{
    private static readonly Tenant Tenant = new(1, IngestFuzzGen.CompanyCode, IngestFuzzGen.Environment,
        "us-east-1", "UTC");

    private static readonly Dictionary<string, RoutedEmailConfiguration> Configurations = new()
    {
        ["USPartsSpanish"] = new("USPartsSpanish", "Parts", 0, true, "", "https://crm.example.com/{entityId}"),
        ["Billing"] = new("Billing", "Billing", 5, false, "", "https://crm.example.com/?c={CustomerId}"),
    };

    /// <summary>Parses and validates a body, and throws when a property is broken.</summary>
    /// <returns>The parse result, for checks of the caller.</returns>
    public static IngestParseResult Check(byte[] body)
    {
        var result = RoutedEmailBatchParser.Parse(body);
        if (result.Error is { } error)
        {
            CheckError(error, result.Requests.Count);
            return result;
        }

        CheckValidJson(body);
        var requests = result.Requests;
        Assert.InRange(requests.Count, 1, IngestLimits.MaxItems);
        foreach (var request in requests)
        {
            CheckRequest(request);
        }

        if (RoutedEmailBatchValidator.CheckTenant(requests, Tenant) is { } tenantError)
        {
            CheckError(tenantError, 0);
        }

        if (RoutedEmailBatchValidator.CheckOwners(requests, Configurations) is { } ownerError)
        {
            CheckError(ownerError, 0);
        }

        return result;
    }

    private static void CheckError(IngestError error, int requestCount)
    {
        Assert.Equal(0, requestCount);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Message, StringComparison.Ordinal);
        if (error.ItemIndex is { } index)
        {
            Assert.InRange(index, 0, IngestLimits.MaxItems);
            var location = error.Field is null ? $"Item {index}" : $"Item {index}, field \"{error.Field}\"";
            Assert.StartsWith(location, error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(error.Field);
            Assert.StartsWith("The request", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Checks that an accepted body is valid JSON to a standard reader with the same depth limit.</summary>
    private static void CheckValidJson(byte[] body)
    {
        var span = body.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }

        using var document = JsonDocument.Parse(span.ToArray(), new JsonDocumentOptions
        {
            MaxDepth = IngestLimits.MaxDepth,
        });
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
    }

    private static void CheckRequest(RoutedEmailRequest request)
    {
        Assert.Equal(IngestLimits.PlatformCode, request.Platform);
        CheckText(request.CompanyCode, IngestLimits.MaxCodeLength);
        CheckText(request.Environment, IngestLimits.MaxCodeLength);
        CheckIdentifier(request.OwnerId);
        CheckIdentifier(request.EntityId);
        CheckText(request.FromAddress, IngestLimits.MaxDisplayLength);
        CheckText(request.ToAddress, IngestLimits.MaxDisplayLength);
        CheckText(request.Subject, IngestLimits.MaxDisplayLength);
        Assert.InRange(request.Attributes.Count, 0, IngestLimits.MaxAttributes);
        Assert.Equal(request.Attributes.Count,
            request.Attributes.Select(attribute => attribute.Key).Distinct(StringComparer.Ordinal).Count());
        foreach (var attribute in request.Attributes)
        {
            Assert.NotEmpty(attribute.Key);
            CheckText(attribute.Key, IngestLimits.MaxAttributeLength);
            CheckText(attribute.Value, IngestLimits.MaxAttributeLength);
        }

        // The server renders each accepted item's screen-pop URL before it writes the batch.
        ScreenPopUrl.Render("https://crm.example.com/case/{entityId}?c={CustomerId}", request.EntityId,
            request.Attributes);
    }

    private static void CheckIdentifier(string value)
    {
        Assert.False(string.IsNullOrWhiteSpace(value));
        Assert.DoesNotContain(value, char.IsControl);
        CheckText(value, IngestLimits.MaxIdLength);
    }

    /// <summary>Checks that a string is well-formed UTF-16, so it can be stored, and within its length limit.</summary>
    private static void CheckText(string value, int maximum)
    {
        var characters = 0;
        for (var index = 0; index < value.Length; index++)
        {
            if (char.IsHighSurrogate(value[index]))
            {
                Assert.True(index + 1 < value.Length, $"A high surrogate ends the string at {index}.");
                Assert.True(char.IsLowSurrogate(value[index + 1]), $"A high surrogate at {index} has no low one.");
                index++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(value[index]), $"A lone low surrogate is at {index}.");
            }

            characters++;
        }

        Assert.InRange(characters, 0, maximum);
    }
}
