-- Indexes for the supervisor dashboard, which a browser reads every few seconds.

-- The emails that an agent holds: Offered, Active or Wrap. The dashboard counts them per queue and per agent, so
-- its cost follows the open emails, not the completed ones that routed_emails_by_agent also lists.
CREATE INDEX routed_emails_held
    ON routed_emails (tenant_id, skill_queue, state, agent_id)
    WHERE state IN ('Offered', 'Active', 'Wrap');

-- Offers by creation time. Today's service level reads the offers made since the start of the tenant's day, so its
-- cost follows one day's offers.
CREATE INDEX offers_by_tenant_created ON offers (tenant_id, created_at, email_id);
