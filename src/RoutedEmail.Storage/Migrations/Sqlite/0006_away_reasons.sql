-- The reason codes an agent of the tenant may give when going Away, as administrators define them.
CREATE TABLE away_reasons (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

-- The reason code the agent gave for its current Away status; NULL for any other status or when none was given.
ALTER TABLE agents ADD COLUMN away_reason TEXT;
