-- The index of SQLite's script 0019: the emails that each agent holds (Offered, Active or Wrap). A routing step
-- counts them for every Available agent, and each push of an agent's work reads them, so their cost follows the
-- open emails. routed_emails_by_agent also lists every email the agent completed, so a count through it grows with
-- the agent's history.
CREATE INDEX routed_emails_held_by_agent
    ON routed_emails (tenant_id, agent_id, state)
    WHERE state IN ('Offered', 'Active', 'Wrap');
