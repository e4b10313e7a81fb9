-- Retention per tenant, in days: closed routed emails with their offers, events, and webhook delivery records
-- (kept once webhooks exist). The defaults match RetentionSettings.Default.
ALTER TABLE tenants ADD COLUMN email_retention_days INTEGER NOT NULL DEFAULT 90;
ALTER TABLE tenants ADD COLUMN event_retention_days INTEGER NOT NULL DEFAULT 400;
ALTER TABLE tenants ADD COLUMN delivery_record_retention_days INTEGER NOT NULL DEFAULT 30;

-- The end of the stored report totals, in Unix milliseconds on a whole quarter hour, or NULL before the first
-- expiry run. The interval reports take every figure before it from the totals and the rest from the events.
ALTER TABLE tenants ADD COLUMN report_totals_until INTEGER;

-- When an administrator erased the email's personal data, or NULL.
ALTER TABLE routed_emails ADD COLUMN erased_at INTEGER;

CREATE INDEX routed_emails_closed ON routed_emails (tenant_id, closed_at) WHERE closed_at IS NOT NULL;

-- The interval report figures of expired events, per 15-minute UTC bucket. agent_id and work_code are '' for none.
CREATE TABLE report_fact_totals (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    bucket_start INTEGER NOT NULL,
    kind TEXT NOT NULL,
    queue TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    work_code TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_ms INTEGER NOT NULL,
    max_ms INTEGER NOT NULL,
    -- Accepts within the service-level threshold, or cancels while waiting past it, by the threshold then.
    level_count INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, bucket_start, kind, queue, agent_id, work_code)
);

-- Agent status time of expired events, per 15-minute UTC bucket. away_reason is '' for none.
CREATE TABLE report_status_totals (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    bucket_start INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    away_reason TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, bucket_start, agent_id, status, away_reason)
);
