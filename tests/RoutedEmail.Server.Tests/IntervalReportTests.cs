using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.Extensions.Time.Testing;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests;

/// <summary>
/// The queue, agent and work code interval reports over one flow. Maria declines e-1, and bob accepts it and
/// completes it with a work code. Bob accepts e-2 and transfers it to Billing, where no agent serves it, and the
/// integrator cancels it there.
/// </summary>
public sealed class IntervalReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private const string Range = "from=2026-03-02&to=2026-03-03&interval=60";
    private static readonly string[] OutcomeCodes = ["Resolved", "Refund"];
    private static readonly string[] OutcomeGroups = ["Outcomes"];

    [Fact]
    public async Task QueueReport_Flow_CountsEachStep()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await RunFlowAsync(server);

        var report = await GetJsonAsync(scenario, $"queues?{Range}");

        Assert.Equal("60", report["interval"]!.GetValue<string>());
        Assert.Equal("UTC", report["timeZone"]!.GetValue<string>());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), report["from"]!.GetValue<DateTimeOffset>());
        var rows = report["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        var billing = rows[0]!;
        Assert.Equal("Billing", billing["queue"]!.GetValue<string>());
        Assert.Equal(Start, billing["intervalStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Start.AddHours(1), billing["intervalEnd"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, billing["transferredIn"]!.GetValue<int>());
        Assert.Equal(1, billing["canceled"]!.GetValue<int>());
        Assert.Equal(0, billing["accepted"]!.GetValue<int>());
        Assert.Equal(1, billing["abandonedAfterServiceLevel"]!.GetValue<int>());
        Assert.Equal(0.0, billing["serviceLevelPercent"]!.GetValue<double>());
        var parts = rows[1]!;
        Assert.Equal("Parts", parts["queue"]!.GetValue<string>());
        Assert.Equal(2, parts["received"]!.GetValue<int>());
        Assert.Equal(3, parts["offered"]!.GetValue<int>());
        Assert.Equal(1, parts["declined"]!.GetValue<int>());
        Assert.Equal(2, parts["accepted"]!.GetValue<int>());
        Assert.Equal(1, parts["transferredOut"]!.GetValue<int>());
        Assert.Equal(1, parts["completed"]!.GetValue<int>());
        Assert.Equal(0, parts["canceled"]!.GetValue<int>());
        Assert.Equal(22.5, parts["averageWaitSeconds"]!.GetValue<double>());
        Assert.Equal(30, parts["maxWaitSeconds"]!.GetValue<double>());
        Assert.Equal(2, parts["handled"]!.GetValue<int>());
        Assert.Equal(52.5, parts["averageHandleSeconds"]!.GetValue<double>());
        Assert.Equal(60, parts["serviceLevelSeconds"]!.GetValue<int>());
        Assert.Equal(100.0, parts["serviceLevelPercent"]!.GetValue<double>());
    }

    [Fact]
    public async Task AgentReport_Flow_CountsEachAgent()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await RunFlowAsync(server);

        var report = await GetJsonAsync(scenario, $"agents?{Range}");

        var rows = report["rows"]!.AsArray();
        Assert.Equal(["bob", "maria"], rows.Select(row => row!["agentId"]!.GetValue<string>()));
        var bob = rows[0]!;
        Assert.Equal(260, bob["availableSeconds"]!.GetValue<double>());
        Assert.Equal(2, bob["offered"]!.GetValue<int>());
        Assert.Equal(2, bob["accepted"]!.GetValue<int>());
        Assert.Equal(1, bob["transferred"]!.GetValue<int>());
        Assert.Equal(1, bob["completed"]!.GetValue<int>());
        Assert.Equal(105, bob["totalHandleSeconds"]!.GetValue<double>());
        var code = Assert.Single(bob["workCodes"]!.AsArray())!;
        Assert.Equal("Resolved", code["workCode"]!.GetValue<string>());
        Assert.Equal(1, code["completed"]!.GetValue<int>());
        var maria = rows[1]!;
        Assert.Equal(10, maria["availableSeconds"]!.GetValue<double>());
        Assert.Equal(260, maria["awaySeconds"]!.GetValue<double>());
        Assert.Equal(1, maria["offered"]!.GetValue<int>());
        Assert.Equal(1, maria["declined"]!.GetValue<int>());
        Assert.Equal(0, maria["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task WorkCodeReport_Flow_CountsCompletion()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await RunFlowAsync(server);

        var report = await GetJsonAsync(scenario, $"work-codes?{Range}&queue=Parts");

        var row = Assert.Single(report["rows"]!.AsArray())!;
        Assert.Equal("Parts", row["queue"]!.GetValue<string>());
        Assert.Equal("Resolved", row["workCode"]!.GetValue<string>());
        Assert.Equal(1, row["completed"]!.GetValue<int>());
    }

    [Fact]
    public async Task QueueReport_Csv_ParsesToSameNumbers()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await RunFlowAsync(server);
        var json = await GetJsonAsync(scenario, $"queues?{Range}");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{scenario.TenantPath}/reports/queues?{Range}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await server.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        var csvRows = ReadCsv(text);
        var jsonRows = json["rows"]!.AsArray();
        Assert.Equal(jsonRows.Count, csvRows.Count);
        for (var i = 0; i < csvRows.Count; i++)
        {
            Assert.Equal("2026-03-02T09:00:00+00:00", csvRows[i]["intervalStart"]);
            foreach (var (column, value) in csvRows[i])
            {
                var expected = jsonRows[i]![column];
                Assert.True(Matches(expected, value), $"Row {i} column {column}: CSV {value}, JSON {expected}.");
            }
        }
    }

    [Theory]
    [InlineData("agents")]
    [InlineData("work-codes")]
    public async Task Report_FormatCsv_ParsesToSameRowCount(string report)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await RunFlowAsync(server);
        var json = await GetJsonAsync(scenario, $"{report}?{Range}");

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/{report}?{Range}&format=csv");
        var csvRows = ReadCsv(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(json["rows"]!.AsArray().Count, csvRows.Count);
        Assert.Equal(
            json["rows"]!.AsArray().Sum(row => row!["completed"]!.GetValue<int>()),
            csvRows.Sum(row => int.Parse(row["completed"], CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("queues")]
    [InlineData("agents")]
    [InlineData("work-codes")]
    public async Task Report_Roles_SupervisorAllowedAgentForbidden(string report)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutUserAsync("supervisor", "Supervisor");
        await scenario.PutUserAsync("agent", "Agent");
        using var supervisor = await scenario.SignInUserAsync("supervisor");
        using var agent = await scenario.SignInUserAsync("agent");
        var path = $"{scenario.TenantPath}/reports/{report}?{Range}";

        using var allowed = await supervisor.GetAsync(path);
        using var forbidden = await agent.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Theory]
    [InlineData("interval=60", "from", "from is missing")]
    [InlineData("from=2026-03-02", "to", "to is missing")]
    [InlineData("from=yesterday&to=2026-03-03", "from", "\"yesterday\" is neither a date")]
    [InlineData("from=2026-02-30&to=2026-03-03", "from", "\"2026-02-30\"")]
    [InlineData("from=2026-03-02&to=2026-03-02", "to", "to=2026-03-03")]
    [InlineData("from=2026-01-01&to=2026-02-02", "from", "32 days long")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z", "from", "31 days 00:00:01 long")]
    [InlineData("from=2026-03-02&to=2026-03-03&interval=45", "interval", "\"45\" is not a report interval. Send 15")]
    [InlineData("from=2026-03-02&to=2026-03-03&interval=", "interval", "interval \"\" is not a report interval")]
    [InlineData("from=2026-03-02&to=2026-03-03&format=xml", "format", "\"xml\" is not a report format")]
    [InlineData("from=2026-03-02&to=2026-03-03&format=", "format", "format \"\" is not a report format")]
    [InlineData("from=2026-03-02&to=2026-03-03&interval=15&interval=30", "interval", "given 2 times")]
    [InlineData("from=2026-03-02&to=2026-03-03&queue=", "queue", "queue \"\" is invalid")]
    [InlineData("from=1969-12-31&to=1970-01-02", "from", "outside the years 1970 to 9998")]
    [InlineData("from=0001-01-01&to=0001-01-02", "from", "\"0001-01-01\" is outside the years")]
    [InlineData("from=9999-12-30&to=9999-12-31", "to", "\"9999-12-31\" is outside the years")]
    [InlineData("from=9999-12-31T00:00:00Z&to=9999-12-31T12:00:00Z", "from", "outside the years")]
    public async Task QueueReport_InvalidQuery_MessageNamesValueAndFix(string query, string field, string expected)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/queues?{query}");

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("from=2026-03-02&from=2026-03-02&to=2026-03-03", "from")]
    [InlineData("from=2026-03-02&to=2026-03-03&to=2026-03-03", "to")]
    [InlineData("from=2026-03-02&to=2026-03-03&interval=15&interval=15", "interval")]
    [InlineData("from=2026-03-02&to=2026-03-03&format=csv&format=csv", "format")]
    public async Task QueueReport_RepeatedParameter_OnlyRepeatedError(string query, string field)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/queues?{query}");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal([field], errors.Select(error => error.Key));
        var message = Assert.Single(errors[field]!.AsArray())!.GetValue<string>();
        Assert.Contains($"{field} is given 2 times", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("agents", "queue=Parts", "queue", "from, to, interval, format and agentId")]
    [InlineData("work-codes", "agentId=bob", "agentId", "from, to, interval, format and queue")]
    [InlineData("queues", "agentId=bob", "agentId", "from, to, interval, format and queue")]
    [InlineData("queues", "intervall=15", "intervall", "from, to, interval, format and queue")]
    public async Task Report_UnknownParameter_Returns400ListingAccepted(
        string report, string parameter, string field, string accepted)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("skill-queues/Parts", new { serviceLevelSeconds = 60 });
        await scenario.PutAgentAsync("bob");

        using var response = await server.Admin.GetAsync(
            $"{scenario.TenantPath}/reports/{report}?{Range}&{parameter}");

        var message = await IngestAssert.ValidationProblemAsync(response, field);
        Assert.Contains($"\"{field}\" is not accepted", message, StringComparison.Ordinal);
        Assert.Contains(accepted, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueReport_ParameterNamesInOtherCase_Accepted()
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync(
            $"{scenario.TenantPath}/reports/queues?From=2026-03-02&TO=2026-03-03&Interval=60");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("queues?queue=Nope", "\"Nope\"")]
    [InlineData("agents?agentId=nobody", "\"nobody\"")]
    public async Task Report_UnknownFilter_Returns404(string path, string expected)
    {
        await using var server = await TestServer.StartAsync(time: new FakeTimeProvider(Start));
        var scenario = await Scenario.CreateAsync(server);

        using var response = await server.Admin.GetAsync($"{scenario.TenantPath}/reports/{path}&{Range}");

        var problem = await IngestAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(expected, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Runs the flow of the class summary on the fake clock, starting at <see cref="Start"/>.</summary>
    private static async Task<Scenario> RunFlowAsync(TestServer server)
    {
        var time = server.Time!;
        var scenario = await Scenario.CreateAsync(server);
        await scenario.PutAsync("work-code-groups/Outcomes", new { codes = OutcomeCodes });
        await scenario.PutAsync("skill-queues/Parts",
            new { serviceLevelSeconds = 60, wrapSeconds = 0, workCodeGroups = OutcomeGroups });
        await scenario.PutAsync("skill-queues/Billing", new { serviceLevelSeconds = 60 });
        await scenario.PutAgentAsync("maria");
        await scenario.PutAgentAsync("bob");
        using var maria = await scenario.SignInAsync("maria");
        using var bob = await scenario.SignInAsync("bob");

        await scenario.IngestAcceptedAsync(scenario.Item("e-1"));
        await maria.SetStatusAsync("Available");
        var declined = await maria.WaitForOfferOfAsync("e-1");
        time.Advance(TimeSpan.FromSeconds(10));
        await PostAsync(maria, $"/api/v1/agent/offers/{AgentApi.OfferIdOf(declined)}/decline", null);
        await maria.SetStatusAsync("Away");

        await bob.SetStatusAsync("Available");
        var first = await bob.WaitForOfferOfAsync("e-1");
        time.Advance(TimeSpan.FromSeconds(20));
        await bob.AcceptAsync(first);
        time.Advance(TimeSpan.FromSeconds(60));
        await bob.CompleteAsync(first);

        await scenario.IngestAcceptedAsync(scenario.Item("e-2"));
        var second = await bob.WaitForOfferOfAsync("e-2");
        time.Advance(TimeSpan.FromSeconds(15));
        await bob.AcceptAsync(second);
        time.Advance(TimeSpan.FromSeconds(45));
        await PostAsync(bob, $"/api/v1/agent/emails/{AgentApi.EmailIdOf(second)}/transfer",
            new { skillQueue = "Billing" });
        time.Advance(TimeSpan.FromMinutes(2));
        await scenario.CancelAsync("e-2");
        return scenario;
    }

    private static async Task PostAsync(HttpClient client, string path, object? body)
    {
        using var response = body is null ? await client.PostAsync(path, null) : await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} failed: {(int)response.StatusCode} {text}");
    }

    private static async Task<JsonObject> GetJsonAsync(Scenario scenario, string pathAndQuery)
    {
        using var response = await scenario.Server.Admin.GetAsync($"{scenario.TenantPath}/reports/{pathAndQuery}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {pathAndQuery}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var reader = CsvReader.Create(new StringReader(text));
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(reader.Headers.ToDictionary(header => header, header => reader.GetString(header)));
        }

        return rows;
    }

    /// <summary>Compares a CSV field with the JSON value of the same column: numbers by value, times as instants.</summary>
    private static bool Matches(JsonNode? expected, string actual)
    {
        if (expected is null)
        {
            return actual.Length == 0;
        }

        var kind = expected.GetValueKind();
        return kind switch
        {
            System.Text.Json.JsonValueKind.Number =>
                double.Parse(actual, CultureInfo.InvariantCulture) == expected.GetValue<double>(),
            _ when DateTimeOffset.TryParse(expected.GetValue<string>(), CultureInfo.InvariantCulture, out var time) =>
                DateTimeOffset.Parse(actual, CultureInfo.InvariantCulture) == time,
            _ => expected.GetValue<string>() == actual,
        };
    }
}
