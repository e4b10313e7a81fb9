-- The event log is each tenant's outbox. Every event gets a sequence number per tenant, gap-free and starting at
-- 1, and a random public id for the event feed and webhooks. A write transaction inserts its events with NULL
-- in both columns and numbers them just before it commits (SqlEventSequences), after the tenant's last number
-- in event_sequences. SQLite has one writer at a time, so numbers follow commit order.
ALTER TABLE events ADD COLUMN sequence INTEGER;
ALTER TABLE events ADD COLUMN public_id TEXT;

-- Events logged before this script are numbered in id order per tenant.
UPDATE events SET sequence = numbered.n, public_id = 'evt_' || lower(hex(randomblob(16)))
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id) AS n FROM events) AS numbered
WHERE events.id = numbered.id;

CREATE UNIQUE INDEX events_by_tenant_sequence ON events (tenant_id, sequence);

-- Only the events of uncommitted transactions are unnumbered, so this index stays nearly empty.
CREATE INDEX events_unnumbered ON events (tenant_id) WHERE sequence IS NULL;

CREATE TABLE event_sequences (
    tenant_id INTEGER PRIMARY KEY,
    last_sequence INTEGER NOT NULL
);

INSERT INTO event_sequences (tenant_id, last_sequence)
SELECT tenant_id, MAX(sequence) FROM events GROUP BY tenant_id;
