-- API key publishing to AWS Secrets Manager and scheduled rotation. A pending key is generated before its write to
-- Secrets Manager, is accepted at once, and replaces the current key once the write succeeded. Keys are stored as
-- SHA-256 hashes only. Times are Unix milliseconds (UTC).
ALTER TABLE tenants ADD COLUMN pending_api_key_hash BLOB;
ALTER TABLE tenants ADD COLUMN secrets_manager_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN secret_name TEXT NOT NULL DEFAULT 'SYMBEE_CONNECT_API_KEY';
ALTER TABLE tenants ADD COLUMN secrets_role_arn TEXT;
ALTER TABLE tenants ADD COLUMN secrets_external_id TEXT;

-- Days between scheduled rotations, or NULL for no schedule.
ALTER TABLE tenants ADD COLUMN key_rotation_days INTEGER;
ALTER TABLE tenants ADD COLUMN next_rotation_at INTEGER;

-- The state of publishing: when a failed write is retried, how many writes failed in a row, the last error, and
-- the time of the last successful write.
ALTER TABLE tenants ADD COLUMN publish_retry_at INTEGER;
ALTER TABLE tenants ADD COLUMN publish_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN last_publish_error TEXT;
ALTER TABLE tenants ADD COLUMN last_published_at INTEGER;

-- The end of the lease of the node that is rotating or publishing the tenant's key, or NULL when none is.
ALTER TABLE tenants ADD COLUMN key_claimed_until INTEGER;
