-- Hub connections per server node, which replace the per-agent flag hub_connected. An agent connected to two
-- nodes stays connected when one of them closes. The connections of a node that stopped without closing them are
-- removed once the node's heartbeat is too old, by another node or by the next start on SQLite.

-- Each running node, with the time of its last heartbeat.
CREATE TABLE nodes (
    node_id TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- Each open hub connection, with the node it is open on.
CREATE TABLE hub_connections (
    node_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    tenant_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    PRIMARY KEY (node_id, connection_id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, agent_id)
);

CREATE INDEX hub_connections_by_agent ON hub_connections (tenant_id, agent_id);

-- A connection marked by the old flag belonged to a process that is no longer running, so it counts as closed
-- now, and the hub disconnect timeout of its agent starts.
UPDATE agents SET hub_gone_at = MAX(status_since, CAST(strftime('%s', 'now') AS INTEGER) * 1000)
WHERE hub_connected = 1;

ALTER TABLE agents DROP COLUMN hub_connected;
