using RoutedEmail.Aws.Credentials;
using RoutedEmail.Aws.Endpoints;
using RoutedEmail.Aws.SecretsManager;

namespace RoutedEmail.Aws.Tests;

public sealed class AwsEndpointResolverTests
{
    private const string ServiceVariable = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
    private const string GlobalVariable = "AWS_ENDPOINT_URL";

    private static readonly Uri ServiceUrl = new("http://127.0.0.1:5001/");

    [Fact]
    public void Resolve_AllSet_UsesServiceUrl()
    {
        var resolver = Resolver(
            (ServiceVariable, "http://127.0.0.1:5002"), (GlobalVariable, "http://127.0.0.1:5003"));

        var endpoint = resolver.Resolve(AwsService.SecretsManager, "us-east-1", ServiceUrl);

        Assert.Equal(ServiceUrl, endpoint.Url);
        Assert.Equal(AwsEndpointResolver.ServiceUrlSource, endpoint.Source);
    }

    [Fact]
    public void Resolve_BothVariables_UsesServiceVariable()
    {
        var resolver = Resolver(
            (ServiceVariable, "http://127.0.0.1:5002"), (GlobalVariable, "http://127.0.0.1:5003"));

        var endpoint = resolver.Resolve(AwsService.SecretsManager, "us-east-1");

        Assert.Equal(new Uri("http://127.0.0.1:5002"), endpoint.Url);
        Assert.Equal(ServiceVariable, endpoint.Source);
    }

    [Fact]
    public void Resolve_GlobalVariableOnly_UsesGlobalVariable()
    {
        var resolver = Resolver(
            (GlobalVariable, "http://127.0.0.1:5003"), ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5004"));

        var endpoint = resolver.Resolve(AwsService.SecretsManager, "us-east-1");

        Assert.Equal(new Uri("http://127.0.0.1:5003"), endpoint.Url);
        Assert.Equal(GlobalVariable, endpoint.Source);
    }

    [Fact]
    public void Resolve_EmptyServiceVariable_FallsThroughToGlobal()
    {
        var resolver = Resolver((ServiceVariable, "  "), (GlobalVariable, "http://127.0.0.1:5003"));

        var endpoint = resolver.Resolve(AwsService.SecretsManager, "us-east-1");

        Assert.Equal(GlobalVariable, endpoint.Source);
    }

    [Theory]
    [InlineData("eu-west-1", "https://secretsmanager.eu-west-1.amazonaws.com/")]
    [InlineData("cn-north-1", "https://secretsmanager.cn-north-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", "https://secretsmanager.us-gov-west-1.amazonaws.com/")]
    public void Resolve_NoSetting_UsesRegionalDefault(string region, string expected)
    {
        var endpoint = Resolver().Resolve(AwsService.SecretsManager, region);

        Assert.Equal(new Uri(expected), endpoint.Url);
        Assert.Equal(AwsEndpointResolver.RegionalDefaultSource, endpoint.Source);
    }

    [Fact]
    public void Resolve_Sts_UsesStsVariableThenRegionalDefault()
    {
        var withVariable = Resolver(
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5004"), (ServiceVariable, "http://127.0.0.1:5002"));

        var fromVariable = withVariable.Resolve(AwsService.Sts, "us-east-1");
        var regional = Resolver().Resolve(AwsService.Sts, "ap-south-1");

        Assert.Equal(new Uri("http://127.0.0.1:5004"), fromVariable.Url);
        Assert.Equal(new Uri("https://sts.ap-south-1.amazonaws.com/"), regional.Url);
    }

    [Fact]
    public void Resolve_IgnoreConfiguredEndpointUrls_SkipsVariables()
    {
        var resolver = Resolver(
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            (ServiceVariable, "http://127.0.0.1:5002"),
            (GlobalVariable, "http://127.0.0.1:5003"));

        var withoutServiceUrl = resolver.Resolve(AwsService.SecretsManager, "us-east-1");
        var withServiceUrl = resolver.Resolve(AwsService.SecretsManager, "us-east-1", ServiceUrl);

        Assert.Equal(AwsEndpointResolver.RegionalDefaultSource, withoutServiceUrl.Source);
        Assert.Equal(ServiceUrl, withServiceUrl.Url);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("ftp://127.0.0.1/")]
    public void Resolve_InvalidVariable_ThrowsNamingIt(string value)
    {
        var resolver = Resolver((GlobalVariable, value));

        var exception = Assert.Throws<ArgumentException>(
            () => resolver.Resolve(AwsService.SecretsManager, "us-east-1"));

        Assert.Contains(GlobalVariable, exception.Message, StringComparison.Ordinal);
        Assert.Contains(value, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("US_EAST_1")]
    [InlineData("us-east-1.attacker.test/x?")]
    public void Resolve_InvalidRegion_Throws(string region)
    {
        var exception = Assert.Throws<ArgumentException>(
            () => Resolver().Resolve(AwsService.SecretsManager, region));

        Assert.Contains("region", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InvalidRegionWithServiceUrl_Throws()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => Resolver().Resolve(AwsService.SecretsManager, "us-east-1/x", ServiceUrl));

        Assert.Contains("us-east-1/x", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_InjectedEnvironment_UsesServiceVariable()
    {
        using var httpClient = new HttpClient();

        var client = new SecretsManagerClient(
            httpClient,
            new StaticCredentialsProvider(new AwsCredentials("AKIDEXAMPLE", "secret")),
            new SecretsManagerClientOptions { Region = "us-east-1" },
            Resolver((ServiceVariable, "http://127.0.0.1:5002")));

        Assert.Equal(new Uri("http://127.0.0.1:5002"), client.Endpoint.Url);
        Assert.Equal(ServiceVariable, client.Endpoint.Source);
    }

    private static AwsEndpointResolver Resolver(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(variable => variable.Name, variable => variable.Value);
        return new AwsEndpointResolver(name => environment.GetValueOrDefault(name));
    }
}
