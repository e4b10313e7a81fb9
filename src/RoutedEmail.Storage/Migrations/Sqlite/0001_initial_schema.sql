-- Times are Unix milliseconds (UTC). Company codes and environments are ASCII and compare without regard to case.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    company_code TEXT NOT NULL COLLATE NOCASE,
    environment TEXT NOT NULL COLLATE NOCASE,
    secrets_region TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    api_key_hash BLOB NOT NULL,
    previous_api_key_hash BLOB,
    previous_api_key_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (company_code, environment)
);

CREATE TABLE skill_queues (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    offer_timeout_seconds INTEGER NOT NULL,
    wrap_seconds INTEGER NOT NULL,
    service_level_seconds INTEGER NOT NULL,
    work_code_groups TEXT NOT NULL,
    work_code_required INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE routed_email_configurations (
    tenant_id INTEGER NOT NULL,
    owner_id TEXT NOT NULL,
    skill_queue TEXT NOT NULL,
    priority INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    description TEXT NOT NULL,
    screen_pop_url_template TEXT,
    PRIMARY KEY (tenant_id, owner_id),
    FOREIGN KEY (tenant_id, skill_queue) REFERENCES skill_queues (tenant_id, name)
);

CREATE TABLE agents (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    agent_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    max_concurrent_emails INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_since INTEGER NOT NULL,
    -- When the agent last had no email: the router prefers the agent idle longest.
    idle_since INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);

CREATE TABLE agent_skills (
    tenant_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    skill_queue TEXT NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, skill_queue),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id),
    FOREIGN KEY (tenant_id, skill_queue) REFERENCES skill_queues (tenant_id, name)
);

CREATE INDEX agent_skills_by_queue ON agent_skills (tenant_id, skill_queue);

CREATE TABLE agent_sessions (
    token_hash BLOB PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id)
);

CREATE TABLE routed_emails (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    entity_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    skill_queue TEXT NOT NULL,
    priority INTEGER NOT NULL,
    state TEXT NOT NULL,
    agent_id TEXT,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    attributes TEXT NOT NULL,
    screen_pop_url TEXT,
    received_at INTEGER NOT NULL,
    enqueued_at INTEGER NOT NULL,
    closed_at INTEGER,
    work_code TEXT,
    notes TEXT
);

-- Idempotency look-up: the newest email of an entityId.
CREATE INDEX routed_emails_by_entity ON routed_emails (tenant_id, entity_id, id);

-- The routing order inside a queue: higher priority first, then oldest enqueue time, then arrival.
CREATE INDEX routed_emails_waiting
    ON routed_emails (tenant_id, skill_queue, priority DESC, enqueued_at, id)
    WHERE state = 'Queued';

CREATE INDEX routed_emails_by_agent ON routed_emails (tenant_id, agent_id) WHERE agent_id IS NOT NULL;

CREATE TABLE offers (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    email_id INTEGER NOT NULL REFERENCES routed_emails (id),
    agent_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    closed_at INTEGER
);

CREATE INDEX offers_pending_by_agent ON offers (tenant_id, agent_id) WHERE state = 'Pending';
CREATE INDEX offers_pending_by_expiry ON offers (expires_at) WHERE state = 'Pending';

-- Every state change, appended in the transaction that makes it.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    email_id INTEGER,
    agent_id TEXT,
    offer_id INTEGER,
    detail TEXT
);

CREATE INDEX events_by_email ON events (email_id) WHERE email_id IS NOT NULL;
