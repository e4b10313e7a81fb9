-- The browser origins whose pages may connect the tenant's agents to the agent hub, as a JSON array of strings
-- normalised to lower-case scheme://host[:port]. Existing tenants start with none.
ALTER TABLE tenants ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
