namespace RoutedEmail.Core.Emails;

/// <summary>The lifecycle state of a routed email.</summary>
public enum RoutedEmailState
{
    /// <summary>Waiting in its skill queue for an agent.</summary>
    Queued,

    /// <summary>Reserved for one agent until the agent accepts or declines, or the offer expires.</summary>
    Offered,

    /// <summary>Accepted by an agent, who is working on it.</summary>
    Active,

    /// <summary>Completed by the agent, who is in after-contact work.</summary>
    Wrap,

    /// <summary>Closed by the agent.</summary>
    Completed,

    /// <summary>Closed by the integrator before an agent completed it.</summary>
    Canceled,
}
