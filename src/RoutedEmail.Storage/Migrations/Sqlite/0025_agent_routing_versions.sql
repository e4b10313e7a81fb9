-- Each node keeps a copy of every tenant's routable agents between routing steps (RoutableAgentCache). A step
-- re-reads only the agents whose version is above the last version that its copy has seen, so its cost follows the
-- changes since the step before, not the number of Available agents. Triggers stamp a new version on every change to
-- what makes an agent routable: its row (status, maxima, other work, idle time), its skills, and the emails it
-- holds. Writes in code and writes in SQL by hand are covered alike. The versions are a table of their own because
-- an index on agents that starts with the tenant made SQLite read every agent of the tenant for the routing query,
-- in place of agents_not_offline.
CREATE TABLE agent_routing_versions (
    tenant_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);

CREATE INDEX agent_routing_versions_by_version ON agent_routing_versions (tenant_id, version);

-- The last version given out for each tenant. SQLite has one writer at a time, so versions follow commit order.
CREATE TABLE agent_routing_counters (
    tenant_id INTEGER PRIMARY KEY,
    last_version INTEGER NOT NULL
);

-- Inserting a row into this view gives the agent the tenant's next version. The view itself never has rows.
CREATE VIEW agent_routing_changes (tenant_id, agent_id) AS SELECT tenant_id, agent_id FROM agents WHERE 0;

CREATE TRIGGER agent_routing_changes_stamp INSTEAD OF INSERT ON agent_routing_changes
BEGIN
    INSERT INTO agent_routing_counters (tenant_id, last_version) VALUES (NEW.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET last_version = last_version + 1;
    INSERT INTO agent_routing_versions (tenant_id, agent_id, version)
        SELECT NEW.tenant_id, NEW.agent_id, last_version FROM agent_routing_counters WHERE tenant_id = NEW.tenant_id
        ON CONFLICT (tenant_id, agent_id) DO UPDATE SET version = excluded.version;
END;

CREATE TRIGGER agents_routing_inserted AFTER INSERT ON agents
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (NEW.tenant_id, NEW.agent_id);
END;

CREATE TRIGGER agents_routing_updated
    AFTER UPDATE OF status, max_concurrent_emails, max_concurrent_tasks, other_work_count, idle_since ON agents
    WHEN OLD.status IS NOT NEW.status
      OR OLD.max_concurrent_emails IS NOT NEW.max_concurrent_emails
      OR OLD.max_concurrent_tasks IS NOT NEW.max_concurrent_tasks
      OR OLD.other_work_count IS NOT NEW.other_work_count
      OR OLD.idle_since IS NOT NEW.idle_since
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (NEW.tenant_id, NEW.agent_id);
END;

CREATE TRIGGER agents_routing_deleted AFTER DELETE ON agents
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (OLD.tenant_id, OLD.agent_id);
END;

CREATE TRIGGER agent_skills_routing_inserted AFTER INSERT ON agent_skills
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (NEW.tenant_id, NEW.agent_id);
END;

CREATE TRIGGER agent_skills_routing_updated AFTER UPDATE ON agent_skills
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (OLD.tenant_id, OLD.agent_id);
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (NEW.tenant_id, NEW.agent_id);
END;

CREATE TRIGGER agent_skills_routing_deleted AFTER DELETE ON agent_skills
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (OLD.tenant_id, OLD.agent_id);
END;

-- An agent's load is the number of emails it holds: Offered, Active or Wrap. The trigger fires when an email moves
-- between agents or between held and not held, for the agent before and the agent after.
CREATE TRIGGER routed_emails_routing_updated AFTER UPDATE OF state, agent_id ON routed_emails
    WHEN OLD.agent_id IS NOT NEW.agent_id
      OR (OLD.state IN ('Offered', 'Active', 'Wrap')) <> (NEW.state IN ('Offered', 'Active', 'Wrap'))
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id)
    SELECT OLD.tenant_id, OLD.agent_id WHERE OLD.agent_id IS NOT NULL;
    INSERT INTO agent_routing_changes (tenant_id, agent_id)
    SELECT NEW.tenant_id, NEW.agent_id WHERE NEW.agent_id IS NOT NULL AND NEW.agent_id IS NOT OLD.agent_id;
END;

CREATE TRIGGER routed_emails_routing_inserted AFTER INSERT ON routed_emails
    WHEN NEW.agent_id IS NOT NULL AND NEW.state IN ('Offered', 'Active', 'Wrap')
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (NEW.tenant_id, NEW.agent_id);
END;

CREATE TRIGGER routed_emails_routing_deleted AFTER DELETE ON routed_emails
    WHEN OLD.agent_id IS NOT NULL AND OLD.state IN ('Offered', 'Active', 'Wrap')
BEGIN
    INSERT INTO agent_routing_changes (tenant_id, agent_id) VALUES (OLD.tenant_id, OLD.agent_id);
END;
