namespace RoutedEmail.Core.Agents;

/// <summary>A reason code that an agent of the tenant may give when going Away, such as <c>lunch</c>.</summary>
/// <param name="Code">The code, unique within the tenant and compared case-sensitively.</param>
/// <param name="Description">The text shown to agents and supervisors, at most 200 characters.</param>
public sealed record AwayReason(string Code, string Description)
{
    /// <summary>Maximum length of a code, in Unicode characters: 64.</summary>
    public const int MaxCodeLength = 64;

    /// <summary>Maximum length of a description, in Unicode characters: 200.</summary>
    public const int MaxDescriptionLength = 200;
}
