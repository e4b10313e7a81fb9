using RoutedEmail.Aws.Credentials;

namespace RoutedEmail.Aws.Tests;

public sealed class AwsCredentialsTests
{
    [Fact]
    public void ToString_TemporaryCredentials_HidesSecrets()
    {
        var expiration = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var credentials = new AwsCredentials("ASIAEXAMPLE", "secret-access-key", "session-token", expiration);

        var text = credentials.ToString();

        Assert.Contains("ASIAEXAMPLE", text, StringComparison.Ordinal);
        Assert.Contains("2026-01-02T03:04:05", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-access-key", text, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptySessionToken_StoresNull()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", "secret", string.Empty);

        Assert.Null(credentials.SessionToken);
    }
}
