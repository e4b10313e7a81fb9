using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// Runs <c>tests/js/agent-client.mjs</c>, which uses the npm package <c>@microsoft/signalr</c>, against the real
/// server, so the hub's contract is checked with the JavaScript client that browsers and CRM plugins use. Needs
/// Node.js on PATH and <c>npm ci --prefix tests/js</c>, which <c>scripts/test</c> runs first.
/// </summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class HubJavaScriptClientTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task JavaScriptClient_PushedOffer_AcceptsThroughHub()
    {
        var script = FindClientScript();
        await using var server = await TestServer.StartAsync();
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAgentAsync("maria");
        using var agent = await scenario.SignInAsync("maria");
        await agent.SetStatusAsync("Available");
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        using var node = StartNode(script, server.BaseAddress.ToString(), HubTestClient.TokenOf(agent));
        var output = Channel.CreateUnbounded<string>();
        var errors = new StringBuilder();
        node.OutputDataReceived += (_, line) => { if (line.Data is not null) { output.Writer.TryWrite(line.Data); } };
        node.ErrorDataReceived += (_, line) => { lock (errors) { errors.AppendLine(line.Data); } };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();

        try
        {
            // The email arrives only after the client is connected, so its offer reaches the client as a push.
            Assert.Equal("connected", await output.Reader.ReadAsync(timeout.Token));
            await scenario.IngestAcceptedAsync(scenario.Item("e-js-1"));
            var accepted = await output.Reader.ReadAsync(timeout.Token);
            await node.WaitForExitAsync(timeout.Token);

            Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}. Standard error: {ErrorsOf(errors)}");
            var email = (await scenario.FindEmailAsync("e-js-1"))!;
            Assert.Equal("Active", email["state"]!.GetValue<string>());
            Assert.Equal("maria", email["agentId"]!.GetValue<string>());
            Assert.EndsWith($" {email["emailId"]!.GetValue<long>()}", accepted, StringComparison.Ordinal);
            Assert.StartsWith("accepted ", accepted, StringComparison.Ordinal);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"node did not finish within {ProcessTimeout.TotalSeconds} seconds. "
                + $"Standard error: {ErrorsOf(errors)}");
        }
        catch (ChannelClosedException)
        {
            Assert.Fail($"node stopped writing output early. Standard error: {ErrorsOf(errors)}");
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process StartNode(string script, string baseUrl, string token)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(baseUrl);
        info.ArgumentList.Add(token);
        info.ArgumentList.Add("20");
        try
        {
            return Process.Start(info)!;
        }
        catch (Win32Exception exception)
        {
            Assert.Fail($"node could not be started ({exception.Message}). Install Node.js 18 or later and put "
                + "node on PATH, then run npm ci --prefix tests/js.");
            throw;
        }
    }

    /// <summary>Finds the script in the repository and checks that its npm packages are installed.</summary>
    private static string FindClientScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
            directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "RoutedEmail.slnx")))
            {
                continue;
            }

            var folder = Path.Combine(directory.FullName, "tests", "js");
            Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "@microsoft", "signalr")),
                $"@microsoft/signalr is not installed in {folder}. Run npm ci --prefix tests/js first.");
            return Path.Combine(folder, "agent-client.mjs");
        }

        Assert.Fail($"No RoutedEmail.slnx was found above {AppContext.BaseDirectory}, so tests/js cannot be located.");
        throw new UnreachableException();
    }

    private static string ErrorsOf(StringBuilder errors)
    {
        lock (errors)
        {
            return errors.Length == 0 ? "(empty)" : errors.ToString().Trim();
        }
    }
}
