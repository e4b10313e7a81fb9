namespace RoutedEmail.Core.Tenants;

/// <summary>A named list of work codes, the dispositions an agent picks from when completing an email.</summary>
/// <param name="Name">The group name, unique within a tenant.</param>
/// <param name="Codes">The codes, each 1 to 64 characters and listed once.</param>
/// <param name="Enabled">
/// False while an administrator has disabled the group: no skill queue PUT may add it, and queues that already
/// use it keep its codes. Default: true.
/// </param>
public sealed record WorkCodeGroup(string Name, IReadOnlyList<string> Codes, bool Enabled = true)
{
    /// <summary>The maximum number of codes in one group: 200.</summary>
    public const int MaxCodes = 200;

    /// <summary>The maximum length of a code, in Unicode characters: 64.</summary>
    public const int MaxCodeLength = 64;
}
