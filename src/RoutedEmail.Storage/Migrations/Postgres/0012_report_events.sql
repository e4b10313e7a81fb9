-- The columns and indexes of SQLite's script 0020, for the interval reports. They read the event log by tenant
-- and time, and count each email event in the skill queue the email was in. Events logged from this script on
-- record that queue; older events have NULL, and the reports use the email's current queue for them.
ALTER TABLE events ADD COLUMN queue TEXT;

CREATE INDEX events_by_tenant_time ON events (tenant_id, at, email_id);
