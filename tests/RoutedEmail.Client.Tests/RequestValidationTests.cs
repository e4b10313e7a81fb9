namespace RoutedEmail.Client.Tests;

/// <summary>Requests, attributes and options reject what the service would reject, before anything is sent.</summary>
public sealed class RequestValidationTests
{
    [Fact]
    public void Request_ElevenAttributes_Throws()
    {
        var attributes = Enumerable.Range(0, 11).Select(i => new RoutedEmailAttribute($"k{i}", "v"));

        var exception = Assert.Throws<ArgumentException>(() => Request(attributes: attributes));

        Assert.Contains("at most 10", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_TenAttributes_IsAccepted()
    {
        var attributes = Enumerable.Range(0, 10).Select(i => new RoutedEmailAttribute($"k{i}", "v"));

        Assert.Equal(10, Request(attributes: attributes).Attributes.Count);
    }

    [Fact]
    public void Request_DuplicateAttributeKey_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => Request(attributes: [new("Class", "a"), new("Class", "b")]));

        Assert.Contains("'Class' appears twice", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    public void Request_InvalidEntityId_Throws(string entityId)
    {
        var exception = Assert.Throws<ArgumentException>(() => Request(entityId: entityId));

        Assert.Equal("entityId", exception.ParamName);
    }

    [Fact]
    public void Request_EntityIdOf255Emoji_IsAccepted()
    {
        var entityId = string.Concat(Enumerable.Repeat("\U0001F600", 255));

        Assert.Equal(entityId, Request(entityId: entityId).EntityId);
    }

    [Fact]
    public void Request_EntityIdOf256Characters_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(() => Request(entityId: new string('x', 256)));

        Assert.Contains("256 characters", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Request_EmptySubject_IsAccepted()
    {
        Assert.Equal(string.Empty, new RoutedEmailRequest("owner", "entity", "", "", "").Subject);
    }

    [Theory]
    [InlineData("", "value")]
    [InlineData("key", null)]
    public void Attribute_EmptyKeyOrLongValue_Throws(string key, string? value)
    {
        Assert.ThrowsAny<ArgumentException>(() => new RoutedEmailAttribute(key, value ?? new string('v', 256)));
    }

    [Fact]
    public void Options_CacheLongerThanOneHour_AreRejected()
    {
        var options = ValidOptions();
        options.ApiKeyCacheDuration = TimeSpan.FromMinutes(61);

        var exception = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("ApiKeyCacheDuration", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_MissingTenant_ListsEveryProblem()
    {
        var exception = Assert.Throws<ArgumentException>(new RoutedEmailClientOptions().Validate);

        Assert.Contains("CompanyCode is missing", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Environment is missing", exception.Message, StringComparison.Ordinal);
        Assert.Contains("SecretsRegion is missing", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_KeyWithWhitespace_IsRejected()
    {
        var options = ValidOptions();
        options.ApiKey = " key";

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Theory]
    [InlineData("EU-WEST-2")]
    [InlineData("eu_west_2")]
    [InlineData("eu--west-2")]
    [InlineData("-eu-west-2")]
    public void Options_InvalidSecretsRegion_IsRejected(string region)
    {
        var options = ValidOptions();
        options.SecretsRegion = region;

        var exception = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains($"SecretsRegion '{region}' is not an AWS region name", exception.Message,
            StringComparison.Ordinal);
        Assert.Contains("such as eu-west-2", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eu-west-2")]
    [InlineData("us-gov-west-1")]
    public void Options_SecretsRegionName_IsAccepted(string region)
    {
        var options = ValidOptions();
        options.SecretsRegion = region;

        options.Validate();

        Assert.True(RoutedEmailClientOptions.IsRegionName(region));
    }

    [Theory]
    [InlineData("us-east-1", "https://symbeeconnect.com:9443/")]
    [InlineData("eu-west-2", "https://eu-west-2.symbeeconnect.com:9443/")]
    [InlineData("AF-SOUTH-1", "https://af-south-1.symbeeconnect.com:9443/")]
    public void Region_Parse_GivesHostOfRegion(string name, string expected)
    {
        Assert.Equal(new Uri(expected), RoutedEmailRegion.Parse(name).BaseAddress);
    }

    [Fact]
    public void Region_Unknown_ThrowsListingRegions()
    {
        var exception = Assert.Throws<ArgumentException>(() => RoutedEmailRegion.Parse("mars-north-1"));

        Assert.Contains("ap-northeast-2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_DefaultRegion_IsUsEast1WithoutPrefix()
    {
        Assert.Equal(new Uri("https://symbeeconnect.com:9443/"), new RoutedEmailClientOptions().ResolveBaseAddress());
    }

    [Fact]
    public void Options_BaseAddressWithPath_KeepsPath()
    {
        var options = ValidOptions();
        options.BaseAddress = new Uri("http://127.0.0.1:5080/routed-email");

        Assert.Equal(new Uri("http://127.0.0.1:5080/routed-email/"), options.ResolveBaseAddress());
    }

    [Fact]
    public async Task FixedKeySource_Refresh_ReturnsNull()
    {
        var source = new FixedApiKeySource("key");

        Assert.Null(await source.RefreshApiKeyAsync("key", CancellationToken.None));
    }

    private static RoutedEmailClientOptions ValidOptions() => new()
    {
        CompanyCode = "abc-gadgets",
        Environment = "prod",
        SecretsRegion = "us-east-1",
    };

    private static RoutedEmailRequest Request(
        string entityId = "entity", IEnumerable<RoutedEmailAttribute>? attributes = null) =>
        new("owner", entityId, "from@example.com", "to@example.com", "Subject", attributes);
}
