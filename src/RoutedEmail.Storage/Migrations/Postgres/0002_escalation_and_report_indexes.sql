-- The indexes of SQLite's scripts 0008 and 0010, for queue escalation and the away time report.

-- The escalation deadline: the oldest waiting email of a queue that is not escalated yet.
CREATE INDEX routed_emails_unescalated
    ON routed_emails (tenant_id, skill_queue, enqueued_at)
    WHERE state = 'Queued' AND escalated_at IS NULL;

-- An overflow queue's routing order over the emails that overflowed into it.
CREATE INDEX routed_emails_overflow_waiting
    ON routed_emails (tenant_id, overflow_queue, priority DESC, enqueued_at, id)
    WHERE state = 'Queued' AND overflow_queue IS NOT NULL;

-- An agent's events in time order, for the away time report.
CREATE INDEX events_by_agent ON events (tenant_id, type, agent_id, at) WHERE agent_id IS NOT NULL;
