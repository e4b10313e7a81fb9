-- A write that creates an offer deadline, a wrap end or a hub disconnect timeout sends the cluster message
-- DeadlinesChanged in its own transaction. PostgreSQL delivers it at commit, once per transaction, so the other
-- nodes learn of the deadline even when the writing node dies between its commit and its own notification.
-- The payload is a message from the node "database" in the format the nodes send themselves.
CREATE FUNCTION routed_email_notify_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('routed_email_cluster', '{"node":"database","kind":"DeadlinesChanged"}');
    RETURN NULL;
END;
$$;

CREATE TRIGGER offers_notify_deadlines AFTER INSERT ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION routed_email_notify_deadlines();

CREATE TRIGGER wraps_notify_deadlines AFTER UPDATE OF wrap_ends_at ON routed_emails
    FOR EACH STATEMENT EXECUTE FUNCTION routed_email_notify_deadlines();

CREATE TRIGGER hub_closes_notify_deadlines AFTER UPDATE OF hub_gone_at ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION routed_email_notify_deadlines();
