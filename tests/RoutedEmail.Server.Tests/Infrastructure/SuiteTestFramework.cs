using System.Reflection;
using RoutedEmail.Server.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework(
    "RoutedEmail.Server.Tests.Infrastructure.SuiteTestFramework", "RoutedEmail.Server.Tests")]

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>
/// xunit 2's framework, except that the tests of <see cref="FinalTestClass"/> run after every other test of the
/// run has finished, and the thread pool starts with <see cref="MinWorkerThreads"/> worker threads. xunit 2 has no
/// assembly fixture, and a check in a fixture's Dispose reports a cleanup failure that runners may not count as a
/// failed test, so the log scan is a test of its own that runs last.
/// </summary>
public sealed class SuiteTestFramework : XunitTestFramework
{
    /// <summary>The full name of the test class that runs last.</summary>
    public const string FinalTestClass = "RoutedEmail.Server.Tests.Security.SuiteLogScanTests";

    /// <summary>
    /// The minimum worker threads of the test process. The test runner blocks two pool threads for the whole run,
    /// its message loop and its wait for the assembly, and on 2 cores those are all the threads the pool starts
    /// with. New ones then come about every half second, and the soak's requests and hub callbacks waited for them.
    /// The soak counted that wait as the server's latency: an ingest p99 of 300 to 800 ms instead of 5 to 7 ms.
    /// </summary>
    public const int MinWorkerThreads = 64;

    /// <summary>Creates the framework and raises the thread pool's minimum for the tests that follow.</summary>
    public SuiteTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        ThreadPool.GetMinThreads(out var workerThreads, out var completionPortThreads);
        if (workerThreads < MinWorkerThreads)
        {
            ThreadPool.SetMinThreads(MinWorkerThreads, completionPortThreads);
        }
    }

    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(
        AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnostics)
    {
        // The base class has the same async void override; the runner reports every outcome through the sink.
#pragma warning disable VSTHRD100
        protected override async void RunTestCases(
            IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions)
#pragma warning restore VSTHRD100
        {
            using var runner = new FinalLastRunner(
                TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class FinalLastRunner(
        ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnostics,
        IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnostics, executionMessageSink, executionOptions)
    {
        protected override async Task<RunSummary> RunTestCollectionsAsync(
            IMessageBus messageBus, CancellationTokenSource cancellationTokenSource)
        {
            var all = TestCases.ToList();
            var final = all.Where(test => test.TestMethod.TestClass.Class.Name == FinalTestClass).ToList();
            TestCases = all.Except(final).ToList();
            var summary = await base.RunTestCollectionsAsync(messageBus, cancellationTokenSource);
            if (final.Count > 0 && !cancellationTokenSource.IsCancellationRequested)
            {
                var collection = final[0].TestMethod.TestClass.TestCollection;
                summary.Aggregate(
                    await RunTestCollectionAsync(messageBus, collection, final, cancellationTokenSource));
            }

            return summary;
        }
    }
}
