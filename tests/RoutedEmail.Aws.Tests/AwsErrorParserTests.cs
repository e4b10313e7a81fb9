using System.Net;

namespace RoutedEmail.Aws.Tests;

public sealed class AwsErrorParserTests
{
    // Body, x-amzn-ErrorType header, expected type, expected message.
    public static TheoryData<string, string?, string, string> ErrorBodies { get; } = new()
    {
        {
            """{"__type":"ResourceNotFoundException","message":"not found"}""",
            null, "ResourceNotFoundException", "not found"
        },
        {
            """{"__type":"com.amazonaws.secretsmanager#InvalidRequestException","Message":"bad"}""",
            null, "InvalidRequestException", "bad"
        },
        {
            "{}",
            "UnrecognizedClientException:http://internal.amazon.com/coral/", "UnrecognizedClientException", ""
        },
        {
            "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>mismatch</Message></Error></ErrorResponse>",
            null, "SignatureDoesNotMatch", "mismatch"
        },
        {
            """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Code>AccessDenied</Code></Error></ErrorResponse>""",
            null, "AccessDenied", ""
        },
        { "<html>Bad Gateway</html>", null, "Http502", "" },
        { "", null, "Http502", "" },
    };

    [Theory]
    [MemberData(nameof(ErrorBodies))]
    public void Parse_ErrorBodies_ReturnsTypeAndMessage(
        string body, string? header, string expectedType, string expectedMessage)
    {
        var (errorType, message) = AwsErrorParser.Parse(HttpStatusCode.BadGateway, header, body);

        Assert.Equal(expectedType, errorType);
        Assert.Equal(expectedMessage, message);
    }
}
