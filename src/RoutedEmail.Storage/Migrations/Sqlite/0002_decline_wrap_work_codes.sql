-- Offers of an email that agents declined or let expire; the routed email JSON shows both.
ALTER TABLE routed_emails ADD COLUMN decline_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE routed_emails ADD COLUMN expiry_count INTEGER NOT NULL DEFAULT 0;

-- While the email is in Wrap: when the wrap time ends (Unix milliseconds) and the email becomes Completed.
ALTER TABLE routed_emails ADD COLUMN wrap_ends_at INTEGER;

CREATE INDEX routed_emails_wrap_by_end ON routed_emails (wrap_ends_at) WHERE state = 'Wrap';

-- The agent's wrap time in seconds, which replaces the skill queue's; NULL uses the queue's.
ALTER TABLE agents ADD COLUMN wrap_seconds INTEGER;

-- The skip rule reads the declined and expired offers of each waiting email.
CREATE INDEX offers_by_email ON offers (email_id);
CREATE INDEX offers_skipped_by_close ON offers (closed_at) WHERE state IN ('Declined', 'Expired');

CREATE TABLE work_code_groups (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    -- A JSON array of the codes, in the order the administrator sent them.
    codes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
