-- Per-queue figures of the supervisor dashboard, recorded once a minute by default for its charts. Every node records the same
-- minute, so the primary key keeps one row and the other nodes' inserts do nothing.
CREATE TABLE dashboard_samples (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    skill_queue TEXT NOT NULL,
    -- The start of the sampled minute, in Unix milliseconds.
    sampled_at INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    -- Whole seconds that the oldest Queued email had waited, or NULL when none waited.
    oldest_wait_seconds INTEGER,
    -- Today's service level so far, as the dashboard counts it: emails offered since the start of the tenant's
    -- day, and those of them offered within the queue's threshold.
    offered_today INTEGER NOT NULL,
    offered_in_level_today INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, skill_queue, sampled_at)
);

-- The retention deletes by time across tenants.
CREATE INDEX dashboard_samples_by_time ON dashboard_samples (sampled_at);
