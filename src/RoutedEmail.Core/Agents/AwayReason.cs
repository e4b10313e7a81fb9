namespace RoutedEmail.Core.Agents;

/// <summary>A reason code that an agent of the tenant may give when going Away, such as <c>lunch</c>.</summary>
/// <param name="Code">The code, unique within the tenant and compared case-sensitively.</param>
/// <param name="Description">The text shown to agents and supervisors, at most 200 characters.</param>
/// <param name="Enabled">
/// False while an administrator has disabled the reason: agents cannot choose it, and an agent already Away with it
/// stays so. Default: true.
/// </param>
public sealed record AwayReason(string Code, string Description, bool Enabled = true)
{
    /// <summary>Maximum length of a code, in Unicode characters: 64.</summary>
    public const int MaxCodeLength = 64;

    /// <summary>Maximum length of a description, in Unicode characters: 200.</summary>
    public const int MaxDescriptionLength = 200;
}
