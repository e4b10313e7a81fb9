using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RoutedEmail.Server.Tests.Crash;

namespace RoutedEmail.Bench;

/// <summary>The figures of one routing round.</summary>
/// <param name="Agents">The agents who took the emails.</param>
/// <param name="Emails">The emails ingested in the round.</param>
/// <param name="Completed">The distinct emails that agents completed in the round.</param>
/// <param name="Elapsed">From the first ingest request until the last email was completed, or the timeout.</param>
/// <param name="AgentRequests">Agent API requests sent in the round: work reads, accepts and completes.</param>
/// <param name="EmptyPolls">Work reads that returned no pending offer.</param>
/// <param name="Errors">Failed requests, emails completed twice, and a timeout.</param>
/// <param name="FirstError">The description of the first error.</param>
/// <param name="ServerCpu">CPU time the server processes used in the round, user and system.</param>
/// <param name="ClientCpu">CPU time this process used in the round, user and system.</param>
/// <param name="DatabaseCpu">CPU time the PostgreSQL server used in the round, or null when not measured.</param>
internal sealed record RoutingResult(
    int Agents, int Emails, long Completed, TimeSpan Elapsed, long AgentRequests, long EmptyPolls, long Errors,
    string? FirstError, TimeSpan ServerCpu, TimeSpan ClientCpu, TimeSpan? DatabaseCpu)
{
    /// <summary>Completed emails per second, end to end.</summary>
    public double EmailsPerSecond => Completed / Elapsed.TotalSeconds;

    /// <summary>Agent API requests per second.</summary>
    public double AgentRequestsPerSecond => AgentRequests / Elapsed.TotalSeconds;
}

/// <summary>
/// End-to-end routing load on a tenant of its own. Agents with a maximum of one email each, signed in through the
/// REST agent API on the nodes in turn, loop: read their work, accept each pending offer and complete its email. A
/// round ingests its emails in batches of 100 spread over the nodes, and ends when agents have completed every one
/// of them or when its time limit is up. The agents poll because a node pushes changes only to hub connections.
/// </summary>
internal sealed class RoutingLoad : IDisposable
{
    private const string AgentPassword = "bench-agent-password";
    private const int IngestBatchSize = 100;
    private const int IngestSenders = 4;

    // How long an agent waits after a work read without an offer. It bounds the polling load, and it can delay the
    // agent's next offer by up to this long, so it lowers the measured rate when offers arrive just after a read.
    private static readonly TimeSpan EmptyPollDelay = TimeSpan.FromMilliseconds(10);

    private readonly IReadOnlyList<TenantClient> _ingestClients;
    private readonly IReadOnlyList<HttpClient> _agents;
    private readonly CpuMeter _serverCpu;
    private readonly CpuMeter? _databaseCpu;
    private int _round;

    private RoutingLoad(
        IReadOnlyList<TenantClient> ingestClients, IReadOnlyList<HttpClient> agents, CpuMeter serverCpu,
        CpuMeter? databaseCpu)
    {
        _ingestClients = ingestClients;
        _agents = agents;
        _serverCpu = serverCpu;
        _databaseCpu = databaseCpu;
    }

    /// <summary>
    /// Creates the tenant <c>bench-routing/prod</c> through the first node, defines the agents, signs agent i in on
    /// node i modulo the node count and sets it Available.
    /// </summary>
    /// <param name="nodes">One client per node, with the node's base address.</param>
    /// <param name="adminToken">The admin token every node was started with.</param>
    /// <param name="agentCount">The number of agents.</param>
    /// <param name="serverCpu">Measures the CPU time of the nodes.</param>
    /// <param name="databaseCpu">Measures the CPU time of the PostgreSQL server, or null.</param>
    /// <exception cref="HttpRequestException">A setup request failed; the message contains the response.</exception>
    public static async Task<RoutingLoad> CreateAsync(
        IReadOnlyList<HttpClient> nodes, string adminToken, int agentCount, CpuMeter serverCpu, CpuMeter? databaseCpu)
    {
        var tenant = await TenantClient.CreateTenantAsync(nodes[0], adminToken, "bench-routing", "prod");
        var agents = new List<HttpClient>();
        try
        {
            for (var i = 0; i < agentCount; i++)
            {
                agents.Add(await SignInAgentAsync(nodes[i % nodes.Count], adminToken, tenant, $"agent-{i}"));
            }
        }
        catch
        {
            agents.ForEach(agent => agent.Dispose());
            throw;
        }

        var ingestClients = nodes.Select(node => new TenantClient(node, tenant)).ToArray();
        return new RoutingLoad(ingestClients, agents, serverCpu, databaseCpu);
    }

    /// <summary>
    /// Ingests <paramref name="emails"/> new emails and waits until the agents have completed all of them, for at
    /// most 60 seconds plus 20 milliseconds per email.
    /// </summary>
    public async Task<RoutingResult> RunAsync(int emails)
    {
        var round = new Round(emails);
        var prefix = $"routing-{Interlocked.Increment(ref _round)}";
        var timeLimit = TimeSpan.FromSeconds(60 + (emails * 0.02));
        using var self = Process.GetCurrentProcess();
        var serverCpuBefore = _serverCpu.Read();
        var databaseCpuBefore = _databaseCpu?.Read();
        var clientCpuBefore = self.TotalProcessorTime;

        using var stop = new CancellationTokenSource();
        var agentLoops = _agents.Select(agent => Task.Run(() => TakeWorkAsync(agent, round, stop.Token))).ToArray();
        round.Start();
        var senders = Enumerable.Range(0, IngestSenders)
            .Select(_ => Task.Run(() => IngestAsync(prefix, round, stop.Token)))
            .ToArray();
        var finished = await Task.WhenAny(round.Finished, Task.Delay(timeLimit));
        if (finished != round.Finished)
        {
            round.CountError($"timed out: {round.Completed} of {emails} emails were completed within " +
                $"{timeLimit.TotalSeconds:F0} seconds");
        }

        var elapsed = round.Stop();
        await stop.CancelAsync();
        await Task.WhenAll([.. agentLoops, .. senders]);
        self.Refresh();

        return new RoutingResult(
            _agents.Count, emails, round.Completed, elapsed, round.AgentRequests, round.EmptyPolls, round.Errors,
            round.FirstError, _serverCpu.Read() - serverCpuBefore, self.TotalProcessorTime - clientCpuBefore,
            _databaseCpu?.Read() - databaseCpuBefore);
    }

    /// <summary>Disposes the agents' clients. The agents stay signed in and Available.</summary>
    public void Dispose()
    {
        foreach (var agent in _agents)
        {
            agent.Dispose();
        }
    }

    private static async Task<HttpClient> SignInAgentAsync(
        HttpClient node, string adminToken, TenantCredentials tenant, string agentId)
    {
        var definition = new
        {
            displayName = agentId,
            password = AgentPassword,
            maxConcurrentEmails = 1,
            skillQueues = new[] { new { name = TenantClient.SkillQueue, rank = 1 } },
            wrapSeconds = 0,
        };
        await TenantClient.SendTenantAdminAsync(
            node, adminToken, tenant, HttpMethod.Put, $"agents/{agentId}", definition);
        var token = await TenantClient.SignInAgentAsync(node, tenant, agentId, AgentPassword);

        var agent = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await SendAsync(agent, HttpMethod.Put, "/api/v1/agent/status", new { status = "Available" },
            CancellationToken.None);
        return agent;
    }

    private async Task IngestAsync(string prefix, Round round, CancellationToken stop)
    {
        var batchCount = (round.Emails + IngestBatchSize - 1) / IngestBatchSize;
        for (var batch = round.TakeBatch(); batch < batchCount && !stop.IsCancellationRequested;
             batch = round.TakeBatch())
        {
            var first = batch * IngestBatchSize;
            var entityIds = Enumerable.Range(first, Math.Min(IngestBatchSize, round.Emails - first))
                .Select(item => $"{prefix}-{item}")
                .ToArray();
            var client = _ingestClients[batch % _ingestClients.Count];
            try
            {
                using var response = await client.IngestAsync(client.BuildBody(entityIds), stop);
                var text = await response.Content.ReadAsStringAsync(stop);
                if (text != TenantClient.SuccessBody)
                {
                    round.Fail($"ingest of batch {batch} returned {(int)response.StatusCode} {text}");
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                round.Fail($"ingest of batch {batch} failed: {exception.Message}");
            }
        }
    }

    private static async Task TakeWorkAsync(HttpClient agent, Round round, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var work = await SendAsync(agent, HttpMethod.Get, "/api/v1/agent/work", null, stop);
                round.CountRequests(1);
                var offers = work["offers"]!.AsArray();
                if (offers.Count == 0)
                {
                    round.CountEmptyPoll();
                    await Task.Delay(EmptyPollDelay, stop);
                    continue;
                }

                foreach (var offer in offers)
                {
                    var offerId = offer!["offerId"]!.GetValue<long>();
                    var emailId = offer["email"]!["emailId"]!.GetValue<long>();
                    await SendAsync(agent, HttpMethod.Post, $"/api/v1/agent/offers/{offerId}/accept", null, stop);
                    await SendAsync(agent, HttpMethod.Post, $"/api/v1/agent/emails/{emailId}/complete", new { },
                        stop);
                    round.CountRequests(2);
                    round.CountCompleted(emailId);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // TaskCanceledException without the stop token is HttpClient's own timeout.
                round.CountError(exception.Message);
            }
        }
    }

    // Sends an agent request and returns the response body, or throws with the status and body on a failure.
    private static async Task<JsonObject> SendAsync(
        HttpClient agent, HttpMethod method, string path, object? body, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await agent.SendAsync(request, stop);
        var text = await response.Content.ReadAsStringAsync(stop);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} returned {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    // The shared counters of one round. The round is finished when every email is completed, or at once when an
    // ingest batch fails, because its emails would never arrive.
    private sealed class Round(int emails)
    {
        private readonly ConcurrentDictionary<long, bool> _completedEmails = new();
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _started;
        private long _ended;
        private int _nextBatch = -1;
        private long _agentRequests;
        private long _emptyPolls;
        private long _errors;
        private string? _firstError;

        public int Emails => emails;

        public Task Finished => _finished.Task;

        public long Completed => _completedEmails.Count;

        public long AgentRequests => Interlocked.Read(ref _agentRequests);

        public long EmptyPolls => Interlocked.Read(ref _emptyPolls);

        public long Errors => Interlocked.Read(ref _errors);

        public string? FirstError => _firstError;

        public void Start() => _started = Stopwatch.GetTimestamp();

        // Returns the measured time: until the last completion, or until now when the round did not finish.
        public TimeSpan Stop()
        {
            Interlocked.CompareExchange(ref _ended, Stopwatch.GetTimestamp(), 0);
            return Stopwatch.GetElapsedTime(_started, Interlocked.Read(ref _ended));
        }

        public int TakeBatch() => Interlocked.Increment(ref _nextBatch);

        public void CountRequests(int count) => Interlocked.Add(ref _agentRequests, count);

        public void CountEmptyPoll() => Interlocked.Increment(ref _emptyPolls);

        public void CountCompleted(long emailId)
        {
            if (!_completedEmails.TryAdd(emailId, true))
            {
                CountError($"email {emailId} was offered and completed twice");
                return;
            }

            if (_completedEmails.Count == emails)
            {
                Interlocked.CompareExchange(ref _ended, Stopwatch.GetTimestamp(), 0);
                _finished.TrySetResult();
            }
        }

        public void CountError(string message)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, message, null);
        }

        public void Fail(string message)
        {
            CountError(message);
            _finished.TrySetResult();
        }
    }
}
