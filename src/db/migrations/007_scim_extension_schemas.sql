-- Extension schemas an organization registers for its users (issue 13, RFC 7643 §7). Values live in
-- users.attributes under the schema URN, as the Enterprise User extension's do.
CREATE TABLE scim_schemas (
  org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  urn         text NOT NULL,
  document    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text
);
-- Schema URIs are case-insensitive (RFC 7643 §2.1).
CREATE UNIQUE INDEX scim_schemas_org_urn ON scim_schemas (org_id, lower(urn));

-- Attributes of extensions the organization did not register: accepted and dropped (RFC 7644 §3.3),
-- each name reported once per organization (audit), so the admin learns what was not kept.
CREATE TABLE scim_unregistered_attributes (
  org_id         uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  attribute      text NOT NULL,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, attribute)
);
