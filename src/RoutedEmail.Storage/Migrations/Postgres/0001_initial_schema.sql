-- The PostgreSQL schema, equal to the SQLite schema after its scripts 0001 to 0007 plus queue escalation, overflow
-- and the tenants' allowed origins. Differences from SQLite, each for PostgreSQL's types:
-- - Times are BIGINT Unix milliseconds (UTC), as in SQLite, so the stores of both keep the same code.
-- - Ids are BIGINT identity columns. Flags are BOOLEAN where SQLite stores 0 or 1.
-- - Company codes and environments are ASCII and compare without regard to case. SQLite declares them COLLATE
--   NOCASE. Here a unique index on lower() of both enforces that, and look-ups compare lower() to lower() so the
--   index serves them.
-- - One index more than SQLite: at most one open email per entity id, because several nodes may ingest at once.

CREATE TABLE tenants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_code TEXT NOT NULL,
    environment TEXT NOT NULL,
    secrets_region TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    api_key_hash BYTEA NOT NULL,
    previous_api_key_hash BYTEA,
    previous_api_key_expires_at BIGINT,
    created_at BIGINT NOT NULL,
    -- A JSON array of the origins whose browser pages may call the agent hub.
    allowed_origins TEXT NOT NULL DEFAULT '[]'
);

CREATE UNIQUE INDEX tenants_by_company ON tenants (lower(company_code), lower(environment));

CREATE TABLE skill_queues (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    offer_timeout_seconds INTEGER NOT NULL,
    wrap_seconds INTEGER NOT NULL,
    service_level_seconds INTEGER NOT NULL,
    work_code_groups TEXT NOT NULL,
    work_code_required BOOLEAN NOT NULL,
    -- TRUE while the queue has waiting email and no agent whose status is not Offline has it in its routing
    -- profile. Routing steps update it, so the QueueUnattended and QueueAttended events are appended once per change.
    unattended BOOLEAN NOT NULL DEFAULT FALSE,
    -- After escalate_after_seconds in queue order (NULL: never), a waiting email's priority rises by
    -- escalate_priority_by and, when overflow_queue is set (NULL: none), agents of that queue may take it too.
    escalate_after_seconds INTEGER,
    escalate_priority_by INTEGER NOT NULL DEFAULT 0,
    overflow_queue TEXT,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE routed_email_configurations (
    tenant_id BIGINT NOT NULL,
    owner_id TEXT NOT NULL,
    skill_queue TEXT NOT NULL,
    priority INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    description TEXT NOT NULL,
    screen_pop_url_template TEXT,
    PRIMARY KEY (tenant_id, owner_id),
    FOREIGN KEY (tenant_id, skill_queue) REFERENCES skill_queues (tenant_id, name)
);

CREATE TABLE agents (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    agent_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    max_concurrent_emails INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_since BIGINT NOT NULL,
    -- When the agent last had no email: the router prefers the agent idle longest.
    idle_since BIGINT NOT NULL,
    -- The agent's wrap time in seconds, which replaces the skill queue's; NULL uses the queue's.
    wrap_seconds INTEGER,
    -- The agent's overall maximum of concurrent tasks: routed emails plus work on other channels. NULL uses
    -- max_concurrent_emails.
    max_concurrent_tasks INTEGER,
    -- The agent's current work on other channels, as last reported through PUT /api/v1/agent/other-work.
    other_work_count INTEGER NOT NULL DEFAULT 0,
    -- When the agent last made an authenticated request, REST or hub negotiation. The server writes it at most
    -- about once a minute per agent, so it may lag by that long.
    last_request_at BIGINT,
    -- TRUE while a server node has a hub connection of the agent.
    hub_connected BOOLEAN NOT NULL DEFAULT FALSE,
    -- When the last hub connection of the agent closed on a node; NULL while connected or when it never connected.
    hub_gone_at BIGINT,
    -- The reason code the agent gave for its current Away status; NULL for any other status or when none was given.
    away_reason TEXT,
    PRIMARY KEY (tenant_id, agent_id)
);

CREATE TABLE agent_skills (
    tenant_id BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    skill_queue TEXT NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, skill_queue),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id),
    FOREIGN KEY (tenant_id, skill_queue) REFERENCES skill_queues (tenant_id, name)
);

CREATE INDEX agent_skills_by_queue ON agent_skills (tenant_id, skill_queue);

CREATE TABLE agent_sessions (
    token_hash BYTEA PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id)
);

CREATE TABLE routed_emails (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
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
    received_at BIGINT NOT NULL,
    enqueued_at BIGINT NOT NULL,
    closed_at BIGINT,
    work_code TEXT,
    notes TEXT,
    -- Offers of the email that agents declined or let expire; the routed email JSON shows both.
    decline_count INTEGER NOT NULL DEFAULT 0,
    expiry_count INTEGER NOT NULL DEFAULT 0,
    -- While the email is in Wrap: when the wrap time ends and the email becomes Completed.
    wrap_ends_at BIGINT,
    -- When the email was escalated in its current queue (NULL: not yet), and the overflow queue whose agents may
    -- take it.
    escalated_at BIGINT,
    overflow_queue TEXT
);

-- Idempotency look-up: the newest email of an entityId.
CREATE INDEX routed_emails_by_entity ON routed_emails (tenant_id, entity_id, id);

-- At most one open email per entity id. SQLite gets this from its single ingest writer; here concurrent ingest
-- transactions on several nodes rely on it, and the ingest insert skips a conflicting row as a retry.
CREATE UNIQUE INDEX routed_emails_open_entity ON routed_emails (tenant_id, entity_id) WHERE closed_at IS NULL;

-- The routing order inside a queue: higher priority first, then oldest enqueue time, then arrival.
CREATE INDEX routed_emails_waiting
    ON routed_emails (tenant_id, skill_queue, priority DESC, enqueued_at, id)
    WHERE state = 'Queued';

CREATE INDEX routed_emails_by_agent ON routed_emails (tenant_id, agent_id) WHERE agent_id IS NOT NULL;

CREATE INDEX routed_emails_wrap_by_end ON routed_emails (wrap_ends_at) WHERE state = 'Wrap';

CREATE TABLE offers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    email_id BIGINT NOT NULL REFERENCES routed_emails (id),
    agent_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    closed_at BIGINT
);

CREATE INDEX offers_pending_by_agent ON offers (tenant_id, agent_id) WHERE state = 'Pending';
CREATE INDEX offers_pending_by_expiry ON offers (expires_at) WHERE state = 'Pending';

-- The skip rule reads the declined and expired offers of each waiting email.
CREATE INDEX offers_by_email ON offers (email_id);
CREATE INDEX offers_skipped_by_close ON offers (closed_at) WHERE state IN ('Declined', 'Expired');

-- Every state change, appended in the transaction that makes it.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    type TEXT NOT NULL,
    email_id BIGINT,
    agent_id TEXT,
    offer_id BIGINT,
    detail TEXT
);

CREATE INDEX events_by_email ON events (email_id) WHERE email_id IS NOT NULL;

CREATE TABLE work_code_groups (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    -- A JSON array of the codes, in the order the administrator sent them.
    codes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- The reason codes an agent of the tenant may give when going Away, as administrators define them.
CREATE TABLE away_reasons (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
