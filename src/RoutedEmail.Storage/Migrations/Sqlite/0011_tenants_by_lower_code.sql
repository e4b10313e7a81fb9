-- Tenant look-ups compare lower() of the company code and environment, as PostgreSQL does, so the same SQL runs on
-- both databases; this index serves them.
CREATE INDEX tenants_by_lower_code ON tenants (lower(company_code), lower(environment));
