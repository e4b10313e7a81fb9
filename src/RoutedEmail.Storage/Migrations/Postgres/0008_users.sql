-- The tables and columns of SQLite's script 0016: users, their sessions, and enabled flags.

-- The people who sign in to a tenant. Roles is a comma-separated list in the order Agent, Supervisor,
-- Administrator, such as 'Agent,Supervisor'. A user with the Agent role also has a row in agents, with the same id.
CREATE TABLE users (
    tenant_id BIGINT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    -- TRUE while the user may not sign in; a disabled user has no sessions.
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- Every existing agent becomes a user with the Agent role, its id and its password hash.
INSERT INTO users (tenant_id, user_id, display_name, password_hash, roles, disabled, created_at)
SELECT tenant_id, agent_id, display_name, password_hash, 'Agent', FALSE, status_since FROM agents;

-- The sessions of every user, from either sign-in route. The token is stored as its SHA-256 hash only.
CREATE TABLE user_sessions (
    token_hash BYTEA PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
);

CREATE INDEX user_sessions_by_user ON user_sessions (tenant_id, user_id);

-- Signed-in agents stay signed in across the upgrade.
INSERT INTO user_sessions (token_hash, tenant_id, user_id, created_at, expires_at)
SELECT token_hash, tenant_id, agent_id, created_at, expires_at FROM agent_sessions;

DROP TABLE agent_sessions;

-- FALSE while an administrator has disabled the resource. What a disabled resource still does is in docs/api.md.
ALTER TABLE skill_queues ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE work_code_groups ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE away_reasons ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE;
