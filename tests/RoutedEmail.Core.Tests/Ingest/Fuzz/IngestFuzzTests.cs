using CsCheck;
using RoutedEmail.Core.Ingest;
using Xunit.Abstractions;

namespace RoutedEmail.Core.Tests.Ingest.Fuzz;

/// <summary>
/// Fuzzes the ingest parser and validator in process with valid batches and mutations of them. The bounded run
/// takes a few seconds; set <c>ROUTED_EMAIL_FUZZ_SECONDS</c> to run each test for that many seconds. A failing
/// input is saved under <c>Ingest/FuzzRegressions</c>, and <see cref="Parser_KeptInput_KeepsProperties"/> replays
/// every saved file.
/// </summary>
public sealed class IngestFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Parser_ValidBatch_ReturnsEveryItem()
    {
        var failure = new ShortestFailure();
        Run(IngestFuzzGen.ValidBatch, 5_000, batch =>
        {
            var body = IngestFuzzGen.Write(batch.Items, batch.EscapeNonAscii);
            failure.Run(body, bytes =>
            {
                var result = IngestOracle.Check(bytes);
                Assert.Null(result.Error);
                Assert.Equal(batch.Items.Length, result.Requests.Count);
                for (var index = 0; index < batch.Items.Length; index++)
                {
                    AssertSame(batch.Items[index], result.Requests[index]);
                }
            });
        }, failure);
    }

    [Fact]
    public void Parser_MutatedBatch_KeepsProperties()
    {
        var failure = new ShortestFailure();
        Run(IngestFuzzGen.Cases, 8_000, fuzzCase => failure.Run(fuzzCase.Body(), bytes => IngestOracle.Check(bytes)),
            failure);
    }

    [Fact]
    public void Parser_KeptInput_KeepsProperties()
    {
        var files = FuzzBudget.KeptInputs().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var exception = Record.Exception(() => IngestOracle.Check(File.ReadAllBytes(file)));
            Assert.True(exception is null, $"{Path.GetFileName(file)}: {exception}");
        }
    }

    private void Run<T>(Gen<T> gen, long iterations, Action<T> check, ShortestFailure failure)
    {
        try
        {
            gen.Sample(check, writeLine: output.WriteLine, iter: FuzzBudget.Iterations(iterations),
                time: FuzzBudget.Seconds);
        }
        catch (Exception exception)
        {
            var keptPath = failure.Keep();
            throw new Xunit.Sdk.XunitException(
                $"The fuzz run failed; its shortest failing input is saved as {keptPath}. {exception.Message}");
        }
    }

    private static void AssertSame(ItemSpec expected, RoutedEmailRequest actual)
    {
        Assert.Equal(expected.CompanyCode, actual.CompanyCode);
        Assert.Equal(expected.Environment, actual.Environment);
        Assert.Equal(expected.OwnerId, actual.OwnerId);
        Assert.Equal(expected.EntityId, actual.EntityId);
        Assert.Equal(expected.FromAddress, actual.FromAddress);
        Assert.Equal(expected.ToAddress, actual.ToAddress);
        Assert.Equal(expected.Subject, actual.Subject);
        Assert.Equal(expected.Attributes.Select(pair => (pair.Key, pair.Value)),
            actual.Attributes.Select(attribute => (attribute.Key, attribute.Value)));
    }
}
