-- Webhooks: per tenant, a URL that receives the tenant's events as signed HTTP POST requests.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- A JSON array of event type names, or ["*"] for every type.
    event_types TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    -- The signing secret in its whsec_ form. The service must read it to sign, so it is not hashed; the database
    -- is protected as a whole (docs/webhooks.md).
    secret TEXT NOT NULL,
    -- The event sequence number up to which the tenant's events have been turned into deliveries.
    event_cursor INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

-- One row per event and webhook. The payload is rebuilt from the event at each attempt, so only ids are stored.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_sequence INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    email_id INTEGER,
    -- Pending, Delivered or DeadLetter.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    -- A node that claimed the delivery sends it until lease_until; another node may claim it after that.
    lease_owner TEXT,
    lease_until INTEGER,
    last_attempt_at INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (webhook_id, event_sequence)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'Pending';
CREATE INDEX webhook_deliveries_pending_by_email ON webhook_deliveries (webhook_id, email_id, event_sequence)
    WHERE state = 'Pending';
CREATE INDEX webhook_deliveries_by_state ON webhook_deliveries (webhook_id, state, id);
CREATE INDEX webhook_deliveries_by_lease ON webhook_deliveries (lease_owner) WHERE lease_owner IS NOT NULL;
