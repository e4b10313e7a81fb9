-- The versions and triggers of SQLite's script 0025: each node keeps a copy of every tenant's routable agents between
-- routing steps, and a step re-reads only the agents whose version is above the last version its copy has seen. A
-- transaction that stamps a version keeps its tenant's agent_routing_counters row locked until it ends, so a later
-- one waits for its commit, and versions follow commit order on every node.
CREATE TABLE agent_routing_versions (
    tenant_id BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
);

CREATE INDEX agent_routing_versions_by_version ON agent_routing_versions (tenant_id, version);

CREATE TABLE agent_routing_counters (
    tenant_id BIGINT PRIMARY KEY,
    last_version BIGINT NOT NULL
);

-- Gives the agent the tenant's next version.
CREATE FUNCTION routed_email_stamp_agent(tenant BIGINT, agent TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agent_routing_counters AS counters (tenant_id, last_version) VALUES (tenant, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET last_version = counters.last_version + 1;
    INSERT INTO agent_routing_versions (tenant_id, agent_id, version)
    SELECT tenant, agent, last_version FROM agent_routing_counters WHERE tenant_id = tenant
    ON CONFLICT (tenant_id, agent_id) DO UPDATE SET version = excluded.version;
$$;

-- Stamps the row's agent: for an update, the agent before and the agent after.
CREATE FUNCTION routed_email_stamp_agents_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.agent_id IS NOT NULL THEN
        PERFORM routed_email_stamp_agent(OLD.tenant_id, OLD.agent_id);
    END IF;

    IF TG_OP = 'INSERT' AND NEW.agent_id IS NOT NULL
       OR TG_OP = 'UPDATE' AND NEW.agent_id IS NOT NULL AND NEW.agent_id IS DISTINCT FROM OLD.agent_id THEN
        PERFORM routed_email_stamp_agent(NEW.tenant_id, NEW.agent_id);
    END IF;

    RETURN NULL;
END;
$$;

CREATE TRIGGER agents_routing_added_or_removed AFTER INSERT OR DELETE ON agents
    FOR EACH ROW EXECUTE FUNCTION routed_email_stamp_agents_of_row();

CREATE TRIGGER agents_routing_updated
    AFTER UPDATE OF status, max_concurrent_emails, max_concurrent_tasks, other_work_count, idle_since ON agents
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.max_concurrent_emails IS DISTINCT FROM NEW.max_concurrent_emails
          OR OLD.max_concurrent_tasks IS DISTINCT FROM NEW.max_concurrent_tasks
          OR OLD.other_work_count IS DISTINCT FROM NEW.other_work_count
          OR OLD.idle_since IS DISTINCT FROM NEW.idle_since)
    EXECUTE FUNCTION routed_email_stamp_agents_of_row();

CREATE TRIGGER agent_skills_routing_changed AFTER INSERT OR UPDATE OR DELETE ON agent_skills
    FOR EACH ROW EXECUTE FUNCTION routed_email_stamp_agents_of_row();

-- An agent's load is the number of emails it holds: Offered, Active or Wrap.
CREATE TRIGGER routed_emails_routing_updated AFTER UPDATE OF state, agent_id ON routed_emails
    FOR EACH ROW
    WHEN (OLD.agent_id IS DISTINCT FROM NEW.agent_id
          OR (OLD.state IN ('Offered', 'Active', 'Wrap')) <> (NEW.state IN ('Offered', 'Active', 'Wrap')))
    EXECUTE FUNCTION routed_email_stamp_agents_of_row();

CREATE TRIGGER routed_emails_routing_inserted AFTER INSERT ON routed_emails
    FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL AND NEW.state IN ('Offered', 'Active', 'Wrap'))
    EXECUTE FUNCTION routed_email_stamp_agents_of_row();

CREATE TRIGGER routed_emails_routing_deleted AFTER DELETE ON routed_emails
    FOR EACH ROW WHEN (OLD.agent_id IS NOT NULL AND OLD.state IN ('Offered', 'Active', 'Wrap'))
    EXECUTE FUNCTION routed_email_stamp_agents_of_row();
