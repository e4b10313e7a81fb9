namespace RoutedEmail.Storage.Tests;

/// <summary>
/// Statements that change one input of agent-1's routing, for a tenant where agents agent-1 and agent-2 serve "Sales"
/// at rank 1, and the tenant also has the queue "Billing" and one Queued email. Each case is a set-up statement,
/// which may be empty, and the change. The same SQL runs on SQLite and PostgreSQL.
/// </summary>
public static class RoutingInputChanges
{
    /// <summary>Each statement changes what the routing step reads about agent-1, so it must stamp a new version.</summary>
    public static TheoryData<string, string> Stamping { get; } = new()
    {
        { "", "UPDATE agents SET status = 'Away' WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agents SET max_concurrent_emails = 3 WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agents SET max_concurrent_tasks = 3 WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agents SET other_work_count = 1 WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agents SET idle_since = idle_since + 1 WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agent_skills SET rank = 2 WHERE agent_id = 'agent-1'" },
        { "", "DELETE FROM agent_skills WHERE agent_id = 'agent-1'" },
        {
            "",
            """
            INSERT INTO agent_skills (tenant_id, agent_id, skill_queue, rank)
            SELECT tenant_id, agent_id, 'Billing', 1 FROM agents WHERE agent_id = 'agent-1'
            """
        },
        { "", "UPDATE routed_emails SET state = 'Offered', agent_id = 'agent-1'" },
        { "", "UPDATE routed_emails SET state = 'Active', agent_id = 'agent-1'" },
        {
            "UPDATE routed_emails SET state = 'Offered', agent_id = 'agent-1'",
            "UPDATE routed_emails SET state = 'Queued', agent_id = NULL"
        },
        {
            "UPDATE routed_emails SET state = 'Active', agent_id = 'agent-1'",
            "UPDATE routed_emails SET state = 'Completed'"
        },
        {
            "UPDATE routed_emails SET state = 'Active', agent_id = 'agent-2'",
            "UPDATE routed_emails SET agent_id = 'agent-1'"
        },
        {
            "UPDATE routed_emails SET state = 'Active', agent_id = 'agent-1'",
            "UPDATE routed_emails SET agent_id = 'agent-2'"
        },
        {
            "UPDATE routed_emails SET state = 'Wrap', agent_id = 'agent-1'",
            "DELETE FROM routed_emails"
        },
    };

    /// <summary>Each statement changes nothing that the routing step reads, so it must keep agent-1's version.</summary>
    public static TheoryData<string, string> NotStamping { get; } = new()
    {
        { "", "UPDATE agents SET display_name = 'Renamed' WHERE agent_id = 'agent-1'" },
        { "", "UPDATE agents SET status = status, idle_since = idle_since WHERE agent_id = 'agent-1'" },
        { "", "UPDATE routed_emails SET subject = 'Renamed'" },
        { "", "UPDATE routed_emails SET state = 'Canceled'" },
        {
            "UPDATE routed_emails SET state = 'Offered', agent_id = 'agent-1'",
            "UPDATE routed_emails SET state = 'Active'"
        },
    };
}
