-- The columns, indexes and table of SQLite's script 0021, which make the event log each tenant's outbox. A write
-- transaction inserts its events with NULL sequence and public id and numbers them just before it commits
-- (SqlEventSequences). It locks the tenant's event_sequences row for that step, so a transaction that numbers
-- events of the same tenant later waits for this one's commit, and numbers follow commit order on every node.
ALTER TABLE events ADD COLUMN sequence BIGINT, ADD COLUMN public_id TEXT;

-- Events logged before this script are numbered in id order per tenant.
UPDATE events SET sequence = numbered.n, public_id = 'evt_' || replace(CAST(gen_random_uuid() AS text), '-', '')
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id) AS n FROM events) AS numbered
WHERE events.id = numbered.id;

CREATE UNIQUE INDEX events_by_tenant_sequence ON events (tenant_id, sequence);

-- Only the events of uncommitted transactions are unnumbered, so this index stays nearly empty.
CREATE INDEX events_unnumbered ON events (tenant_id) WHERE sequence IS NULL;

CREATE TABLE event_sequences (
    tenant_id BIGINT PRIMARY KEY,
    last_sequence BIGINT NOT NULL
);

INSERT INTO event_sequences (tenant_id, last_sequence)
SELECT tenant_id, MAX(sequence) FROM events GROUP BY tenant_id;
