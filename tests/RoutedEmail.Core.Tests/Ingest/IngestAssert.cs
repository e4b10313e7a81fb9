using RoutedEmail.Core.Ingest;

namespace RoutedEmail.Core.Tests.Ingest;

/// <summary>Assertions shared by the ingest tests, so that every rejection is checked the same way.</summary>
internal static class IngestAssert
{
    /// <summary>
    /// Asserts that parsing failed with the expected item index and field, and that the message names both and
    /// contains every keyword.
    /// </summary>
    public static IngestError Rejected(
        IngestParseResult result, string caseName, int? itemIndex, string? field, IEnumerable<string> keywords)
    {
        Assert.True(result.Error is not null, $"Case \"{caseName}\" was accepted but must be rejected.");
        var error = result.Error;

        Assert.Empty(result.Requests);
        Assert.Equal(itemIndex, error.ItemIndex);
        Assert.Equal(field, error.Field);

        if (itemIndex is not null)
        {
            Assert.Contains($"Item {itemIndex}", error.Message, StringComparison.Ordinal);
        }

        if (field is not null)
        {
            Assert.Contains($"\"{field}\"", error.Message, StringComparison.Ordinal);
        }

        foreach (var keyword in keywords)
        {
            Assert.Contains(keyword, error.Message, StringComparison.Ordinal);
        }

        return error;
    }

    /// <summary>Asserts that parsing succeeded with the expected number of requests.</summary>
    public static void Accepted(IngestParseResult result, string caseName, int expectedCount)
    {
        Assert.True(result.Error is null, $"Case \"{caseName}\" was rejected: {result.Error?.Message}");
        Assert.Equal(expectedCount, result.Requests.Count);
    }
}
