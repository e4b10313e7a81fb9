-- When the agent last made an authenticated request, REST or hub negotiation. The server writes it at most about
-- once a minute per agent, so it may lag by that long. Existing agents start a full inactivity timeout now.
ALTER TABLE agents ADD COLUMN last_request_at INTEGER;
UPDATE agents SET last_request_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;

-- 1 while a server node has a hub connection of the agent.
ALTER TABLE agents ADD COLUMN hub_connected INTEGER NOT NULL DEFAULT 0;

-- When the last hub connection of the agent closed on a node; NULL while connected or when it never connected.
ALTER TABLE agents ADD COLUMN hub_gone_at INTEGER;
