namespace RoutedEmail.Core.Agents;

/// <summary>The routing status of an agent.</summary>
public enum AgentStatus
{
    /// <summary>Signed out, or never signed in. Receives no offers.</summary>
    Offline,

    /// <summary>Ready for work. Receives offers while below its maxima.</summary>
    Available,

    /// <summary>Signed in but not taking work. Receives no offers.</summary>
    Away,

    /// <summary>Let an offer expire. Receives no offers until the agent chooses Available again.</summary>
    Missed,
}
