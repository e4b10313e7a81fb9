-- The agents whose status is not Offline. The unattended-queue check of every routing step starts from them, so
-- its cost follows the agents who are not Offline, not all agents of the tenant.
CREATE INDEX agents_not_offline ON agents (tenant_id, agent_id, status) WHERE status <> 'Offline';

-- The skill queues with an escalation rule. The escalation deadline and the escalation of due email start from
-- them, so their cost follows the queues that have a rule and those queues' waiting email, not all waiting email.
CREATE INDEX skill_queues_escalating ON skill_queues (tenant_id, name, escalate_after_seconds)
    WHERE escalate_after_seconds IS NOT NULL;
