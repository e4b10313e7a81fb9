using System.Net;
using System.Text.Json.Nodes;

namespace RoutedEmail.Server.Tests.Infrastructure;

/// <summary>Checks ingest and integrator responses against the public contract.</summary>
public static class IngestAssert
{
    public const string SuccessBody = """{"responseEnum":"SUCCESS","errorMessage":null}""";

    /// <summary>Checks a 200 response with exactly the success body, as JSON.</summary>
    public static async Task SucceededAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SuccessBody, body);
    }

    /// <summary>
    /// Checks a failure in the ingest shape: the status, a JSON body with <c>ERROROCCURRED</c> and a message.
    /// </summary>
    /// <returns>The error message.</returns>
    public static async Task<string> RejectedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(2, json.Count);
        Assert.Equal("ERROROCCURRED", json["responseEnum"]!.GetValue<string>());
        var message = json["errorMessage"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    /// <summary>Checks an RFC 9457 problem details response with the status, and returns its body.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()));
        return problem;
    }

    /// <summary>Checks a 400 validation problem whose <c>errors</c> name the field, and returns the field's messages.</summary>
    public static async Task<string> ValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors should name \"{field}\": {errors.ToJsonString()}");
        var messages = errors[field]!.AsArray().Select(message => message!.GetValue<string>()).ToArray();
        Assert.NotEmpty(messages);
        return string.Join(" ", messages);
    }
}
