using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RoutedEmail.Aws.Endpoints;

namespace RoutedEmail.Aws.SecretsManager;

/// <summary>Sending one JSON 1.1 request and turning failures into typed exceptions.</summary>
public sealed partial class SecretsManagerClient
{
    /// <summary>
    /// The error type of a success response whose body is not the expected JSON. This library defines it, and AWS
    /// never returns it.
    /// </summary>
    public const string MalformedResponseErrorType = "MalformedResponse";

    private const string ContentType = "application/x-amz-json-1.1";

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        string operation,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        string secretId,
        CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager." + operation);
        request.Content = new ByteArrayContent(payload);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
        _signer.Sign(request, payload, credentials, _time.GetUtcNow());

        using var response = await SendOrThrowAsync(request, operation, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw ServiceError(operation, secretId, response, text);
        }

        try
        {
            return JsonSerializer.Deserialize(text, responseType) ?? throw Malformed(operation, secretId, "null");
        }
        catch (JsonException)
        {
            // The body may contain the secret, so neither it nor the parser's message goes into the exception.
            throw Malformed(operation, secretId, "not valid JSON");
        }
    }

    private async Task<HttpResponseMessage> SendOrThrowAsync(
        HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new AwsConnectionException(
                AwsService.SecretsManager.DisplayName, operation, Endpoint.Url, Endpoint.Source, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed: the caller did not cancel.
            throw new AwsConnectionException(
                AwsService.SecretsManager.DisplayName, operation, Endpoint.Url, Endpoint.Source, exception);
        }
    }

    private AwsServiceException ServiceError(
        string operation, string secretId, HttpResponseMessage response, string body)
    {
        var headerType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values)
            ? values.FirstOrDefault()
            : null;
        var (errorType, message) = AwsErrorParser.Parse(response.StatusCode, headerType, body);
        Log.RequestFailed(_logger, operation, secretId, errorType, (int)response.StatusCode);
        return new AwsServiceException(
            AwsService.SecretsManager.DisplayName, operation, Endpoint.Url, errorType, message,
            response.StatusCode, $"secret '{secretId}'");
    }

    private string Required(string? value, string member, string operation, string secretId) =>
        string.IsNullOrEmpty(value) ? throw Malformed(operation, secretId, $"missing {member}") : value;

    private AwsServiceException Malformed(string operation, string secretId, string problem) =>
        new(
            AwsService.SecretsManager.DisplayName, operation, Endpoint.Url, MalformedResponseErrorType,
            $"the success response body is {problem}; the endpoint may not be Secrets Manager",
            HttpStatusCode.OK, $"secret '{secretId}'");
}
