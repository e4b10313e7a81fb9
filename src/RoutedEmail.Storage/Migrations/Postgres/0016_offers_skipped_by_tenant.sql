-- The routing step reads a tenant's recent declines and expiries. This index serves that read on the tenant and the
-- close time, as SQLite's migration 0024 does.
CREATE INDEX offers_skipped_by_tenant ON offers (tenant_id, closed_at) WHERE state IN ('Declined', 'Expired');
