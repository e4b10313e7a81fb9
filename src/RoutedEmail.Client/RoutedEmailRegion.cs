namespace RoutedEmail.Client;

/// <summary>
/// A region of the hosted service. Each region has its own host name, such as
/// <c>eu-west-2.symbeeconnect.com</c>, but <see cref="UsEast1"/> has no prefix.
/// </summary>
public sealed class RoutedEmailRegion : IEquatable<RoutedEmailRegion>
{
    private const string Domain = "symbeeconnect.com";
    private const int Port = 9443;

    private RoutedEmailRegion(string name, bool hasPrefix)
    {
        Name = name;
        BaseAddress = new Uri(hasPrefix ? $"https://{name}.{Domain}:{Port}/" : $"https://{Domain}:{Port}/");
    }

    /// <summary>US East (N. Virginia), the default region, whose host name has no region prefix.</summary>
    public static RoutedEmailRegion UsEast1 { get; } = new("us-east-1", hasPrefix: false);

    /// <summary>US West (Oregon).</summary>
    public static RoutedEmailRegion UsWest2 { get; } = new("us-west-2", hasPrefix: true);

    /// <summary>Canada (Central).</summary>
    public static RoutedEmailRegion CaCentral1 { get; } = new("ca-central-1", hasPrefix: true);

    /// <summary>Europe (London).</summary>
    public static RoutedEmailRegion EuWest2 { get; } = new("eu-west-2", hasPrefix: true);

    /// <summary>Europe (Frankfurt).</summary>
    public static RoutedEmailRegion EuCentral1 { get; } = new("eu-central-1", hasPrefix: true);

    /// <summary>Asia Pacific (Singapore).</summary>
    public static RoutedEmailRegion ApSoutheast1 { get; } = new("ap-southeast-1", hasPrefix: true);

    /// <summary>Asia Pacific (Sydney).</summary>
    public static RoutedEmailRegion ApSoutheast2 { get; } = new("ap-southeast-2", hasPrefix: true);

    /// <summary>Asia Pacific (Tokyo).</summary>
    public static RoutedEmailRegion ApNortheast1 { get; } = new("ap-northeast-1", hasPrefix: true);

    /// <summary>Asia Pacific (Seoul).</summary>
    public static RoutedEmailRegion ApNortheast2 { get; } = new("ap-northeast-2", hasPrefix: true);

    /// <summary>Africa (Cape Town).</summary>
    public static RoutedEmailRegion AfSouth1 { get; } = new("af-south-1", hasPrefix: true);

    /// <summary>Every region of the hosted service.</summary>
    public static IReadOnlyList<RoutedEmailRegion> All { get; } =
    [
        UsEast1, UsWest2, CaCentral1, EuWest2, EuCentral1,
        ApSoutheast1, ApSoutheast2, ApNortheast1, ApNortheast2, AfSouth1,
    ];

    /// <summary>The region's AWS name, such as <c>eu-west-2</c>.</summary>
    public string Name { get; }

    /// <summary>The service's base address in this region, such as <c>https://symbeeconnect.com:9443/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Finds a region by its AWS name, such as <c>eu-west-2</c>.</summary>
    /// <param name="name">The region name, compared without regard to case.</param>
    /// <exception cref="ArgumentException">The name is not one of <see cref="All"/>.</exception>
    public static RoutedEmailRegion Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(region => string.Equals(region.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"The region '{name}' is not a region of the service. Use one of " +
                $"{string.Join(", ", All.Select(region => region.Name))}, or set a base address for a " +
                "self-hosted service.",
                nameof(name));
    }

    /// <inheritdoc />
    public bool Equals(RoutedEmailRegion? other) => other is not null && Name == other.Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RoutedEmailRegion);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <summary>Returns the region's name.</summary>
    public override string ToString() => Name;
}
