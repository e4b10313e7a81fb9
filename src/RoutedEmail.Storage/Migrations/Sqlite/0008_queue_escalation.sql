-- Escalation of a skill queue's waiting email: after escalate_after_seconds in queue order (NULL: never), the
-- priority rises by escalate_priority_by and, when overflow_queue is set, agents of that queue may take it too.
ALTER TABLE skill_queues ADD COLUMN escalate_after_seconds INTEGER;
ALTER TABLE skill_queues ADD COLUMN escalate_priority_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE skill_queues ADD COLUMN overflow_queue TEXT;

-- When the email was escalated in its current queue (NULL: not yet), and the overflow queue whose agents may take it.
ALTER TABLE routed_emails ADD COLUMN escalated_at INTEGER;
ALTER TABLE routed_emails ADD COLUMN overflow_queue TEXT;

-- The escalation deadline: the oldest waiting email of a queue that is not escalated yet.
CREATE INDEX routed_emails_unescalated
    ON routed_emails (tenant_id, skill_queue, enqueued_at)
    WHERE state = 'Queued' AND escalated_at IS NULL;

-- An overflow queue's routing order over the emails that overflowed into it.
CREATE INDEX routed_emails_overflow_waiting
    ON routed_emails (tenant_id, overflow_queue, priority DESC, enqueued_at, id)
    WHERE state = 'Queued' AND overflow_queue IS NOT NULL;
