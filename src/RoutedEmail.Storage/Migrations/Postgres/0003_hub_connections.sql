-- Hub connections per server node, as in SQLite's script 0012, which replace the per-agent flag hub_connected.

CREATE TABLE nodes (
    node_id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

CREATE TABLE hub_connections (
    node_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    tenant_id BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    PRIMARY KEY (node_id, connection_id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id)
);

CREATE INDEX hub_connections_by_agent ON hub_connections (tenant_id, agent_id);

-- A node from before this script may still hold the connections that the flag marks. They count as closed now,
-- so those agents reconnect within the hub disconnect timeout or become Offline.
UPDATE agents
SET hub_gone_at = GREATEST(status_since, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT)
WHERE hub_connected;

ALTER TABLE agents DROP COLUMN hub_connected;
