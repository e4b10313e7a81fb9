-- An agent's events in time order. The away time report reads each agent's status changes within a range and the
-- last one before it, and without this index both would scan the tenant's whole event log.
CREATE INDEX events_by_agent ON events (tenant_id, type, agent_id, at) WHERE agent_id IS NOT NULL;
