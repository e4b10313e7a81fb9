-- The agent's overall maximum of concurrent tasks: routed emails plus work on other channels. NULL uses
-- max_concurrent_emails.
ALTER TABLE agents ADD COLUMN max_concurrent_tasks INTEGER;

-- The agent's current work on other channels, as last reported through PUT /api/v1/agent/other-work.
ALTER TABLE agents ADD COLUMN other_work_count INTEGER NOT NULL DEFAULT 0;
