-- When the agent last chose its status, as in SQLite's script 0014.
ALTER TABLE agents ADD COLUMN status_chosen_at BIGINT NOT NULL DEFAULT 0;
UPDATE agents SET status_chosen_at = status_since;
