using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RoutedEmail.Server.Webhooks;
using StandardWebhooks;
using RoutedEmail.Server.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Webhooks;

/// <summary>Secrets, signatures and retry waits, checked without a server.</summary>
[Trait(TestStore.Trait, TestStore.Independent)]
public sealed class WebhookSigningTests
{
    [Fact]
    public void Sign_Body_VerifiesWithStandardWebhooks()
    {
        var secret = WebhookSecret.Generate();
        Assert.True(WebhookSecret.TryDecode(secret, out var key));
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        const string body = """{"id":"evt_1","type":"Received","data":{"entityId":"é-1"}}""";
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "evt_1",
            ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = WebhookSigner.Sign(
                key, "evt_1", timestamp, System.Text.Encoding.UTF8.GetBytes(body)),
        };

        new StandardWebhook(secret).Verify(body, headers);
        Assert.StartsWith("v1,", headers["webhook-signature"].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("wh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryDecode_Malformed_ReturnsFalse(string? secret)
    {
        Assert.False(WebhookSecret.TryDecode(secret, out _));
    }

    [Theory]
    [InlineData(23, false)]
    [InlineData(24, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void TryDecode_KeyLength_AcceptsOnly24To64Bytes(int length, bool expected)
    {
        var secret = "whsec_" + Convert.ToBase64String(new byte[length]);

        Assert.Equal(expected, WebhookSecret.TryDecode(secret, out var key));
        Assert.Equal(expected ? length : 0, key.Length);
    }

    [Fact]
    public void NextDelay_Backoff_StaysUnderGrowingCeiling()
    {
        var options = Options.Create(new WebhookOptions
        {
            FirstRetryDelay = TimeSpan.FromSeconds(5), RetryBackoffFactor = 2,
            MaxRetryDelay = TimeSpan.FromSeconds(60), MaxAttempts = 10,
        });
        var policy = new WebhookRetryPolicy(options, new Random(7));

        var ceilings = Enumerable.Range(1, 6).Select(policy.Ceiling).ToList();

        Assert.Equal([5, 10, 20, 40, 60, 60], ceilings.Select(ceiling => ceiling.TotalSeconds));
        for (var attempt = 1; attempt < 10; attempt++)
        {
            for (var draw = 0; draw < 50; draw++)
            {
                Assert.InRange(policy.NextDelay(attempt, null)!.Value, TimeSpan.Zero, policy.Ceiling(attempt));
            }
        }

        Assert.Null(policy.NextDelay(10, null));
    }

    [Fact]
    public void NextDelay_RetryAfter_KeptWithinBounds()
    {
        var options = Options.Create(new WebhookOptions
        {
            FirstRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromMinutes(10), MaxAttempts = 3,
        });
        var policy = new WebhookRetryPolicy(options, new Random(7));

        Assert.Equal(TimeSpan.FromSeconds(30), policy.NextDelay(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(5), policy.NextDelay(1, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMinutes(10), policy.NextDelay(1, TimeSpan.FromDays(1)));
        Assert.Null(policy.NextDelay(3, TimeSpan.FromSeconds(30)));
    }
}
