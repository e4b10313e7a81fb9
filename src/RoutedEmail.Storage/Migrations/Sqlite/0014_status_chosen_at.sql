-- When the agent last chose its status, through REST or the hub. The service's own changes (Missed after an
-- expired offer, Offline after an inactivity timeout) leave it alone, so they do not make an agent whose hub
-- connection closed count as a REST agent. 0 for an agent that never chose a status.
ALTER TABLE agents ADD COLUMN status_chosen_at INTEGER NOT NULL DEFAULT 0;
UPDATE agents SET status_chosen_at = status_since;
