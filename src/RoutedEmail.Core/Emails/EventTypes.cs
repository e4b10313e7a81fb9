namespace RoutedEmail.Core.Emails;

/// <summary>The names of the events in the event log.</summary>
public static class EventTypes
{
    /// <summary>An ingest request queued a new email.</summary>
    public const string Received = "Received";

    /// <summary>The router reserved an email for an agent.</summary>
    public const string Offered = "Offered";

    /// <summary>The agent accepted the offer.</summary>
    public const string Accepted = "Accepted";

    /// <summary>A pending offer went back to the queue because the agent left Available.</summary>
    public const string OfferWithdrawn = "OfferWithdrawn";

    /// <summary>The offer timed out before the agent accepted it, so the email went back to its queue.</summary>
    public const string OfferExpired = "OfferExpired";

    /// <summary>The agent declined the offer, so the email went back to its queue at its original place.</summary>
    public const string OfferDeclined = "OfferDeclined";

    /// <summary>The agent completed an email whose wrap time is above zero, so the email entered Wrap.</summary>
    public const string WrapStarted = "WrapStarted";

    /// <summary>
    /// The agent transferred an Active email: to a skill queue, where it waits as Queued, or to another agent as a
    /// new offer.
    /// </summary>
    public const string Transferred = "Transferred";

    /// <summary>The email closed as done: at the agent's complete, or when its wrap time ended.</summary>
    public const string Completed = "Completed";

    /// <summary>The integrator cancelled the email.</summary>
    public const string Canceled = "Canceled";

    /// <summary>The agent's status changed.</summary>
    public const string AgentStatusChanged = "AgentStatusChanged";

    /// <summary>The count of the agent's tasks on other channels changed.</summary>
    public const string OtherWorkChanged = "OtherWorkChanged";

    /// <summary>The agent signed in.</summary>
    public const string AgentSignedIn = "AgentSignedIn";

    /// <summary>
    /// A skill queue has waiting email and no agent whose status is not Offline has it in its routing profile. The
    /// detail is the queue's name.
    /// </summary>
    public const string QueueUnattended = "QueueUnattended";

    /// <summary>
    /// A skill queue that was unattended is served again by an agent who is not Offline, or has no waiting email.
    /// The detail is the queue's name.
    /// </summary>
    public const string QueueAttended = "QueueAttended";

    /// <summary>
    /// A waiting email reached its queue's escalation time: its priority rose, or agents of an overflow queue may
    /// take it too, or both. The detail is JSON with <c>queue</c>, <c>previousPriority</c>, <c>priority</c> and
    /// <c>overflowQueue</c>.
    /// </summary>
    public const string Escalated = "Escalated";

    /// <summary>A user signed in through <c>POST /api/v1/sign-in</c>. The agent id is the user id.</summary>
    public const string UserSignedIn = "UserSignedIn";

    /// <summary>
    /// An administrator's PUT created a resource. The detail is JSON with <c>kind</c> (<c>SkillQueue</c>,
    /// <c>Configuration</c>, <c>Agent</c>, <c>WorkCodeGroup</c> or <c>AwayReason</c>), <c>name</c> and <c>by</c>, the
    /// actor: <c>operator</c> or <c>user:</c> and the user id.
    /// </summary>
    public const string ResourceCreated = "ResourceCreated";

    /// <summary>An administrator's PUT replaced a resource. The detail is as for <see cref="ResourceCreated"/>.</summary>
    public const string ResourceChanged = "ResourceChanged";

    /// <summary>
    /// An administrator disabled a resource. The detail is JSON with <c>kind</c> (such as <c>SkillQueue</c> or
    /// <c>User</c>), <c>name</c> and <c>by</c>, the actor: <c>operator</c> or <c>user:</c> and the user id.
    /// </summary>
    public const string ResourceDisabled = "ResourceDisabled";

    /// <summary>An administrator enabled a resource again. The detail is as for <see cref="ResourceDisabled"/>.</summary>
    public const string ResourceEnabled = "ResourceEnabled";

    /// <summary>An administrator deleted a resource. The detail is as for <see cref="ResourceDisabled"/>.</summary>
    public const string ResourceDeleted = "ResourceDeleted";

    /// <summary>
    /// A supervisor or administrator acted on an email or an agent. The detail is JSON with <c>action</c>
    /// (<c>SetStatus</c>, <c>Cancel</c> or <c>Transfer</c>) and <c>by</c>, the actor. It follows the event that the
    /// action itself appended, such as <c>Canceled</c>, in a transaction of its own.
    /// </summary>
    public const string SupervisorAction = "SupervisorAction";

    /// <summary>
    /// An administrator erased the email's personal data: addresses, subject, attribute values, screen-pop URL and
    /// notes. The event has no detail, so it keeps none of the erased data.
    /// </summary>
    public const string Erased = "Erased";
}
