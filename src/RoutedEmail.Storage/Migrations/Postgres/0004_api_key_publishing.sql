-- API key publishing to AWS Secrets Manager and scheduled rotation, as in SQLite's script 0013.
ALTER TABLE tenants
    ADD COLUMN pending_api_key_hash BYTEA,
    ADD COLUMN secrets_manager_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN secret_name TEXT NOT NULL DEFAULT 'SYMBEE_CONNECT_API_KEY',
    ADD COLUMN secrets_role_arn TEXT,
    ADD COLUMN secrets_external_id TEXT,
    ADD COLUMN key_rotation_days INTEGER,
    ADD COLUMN next_rotation_at BIGINT,
    ADD COLUMN publish_retry_at BIGINT,
    ADD COLUMN publish_failures INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_publish_error TEXT,
    ADD COLUMN last_published_at BIGINT,
    ADD COLUMN key_claimed_until BIGINT;
