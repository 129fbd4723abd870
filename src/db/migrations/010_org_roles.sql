-- Roles an organization defines (issue 13): a named set of permissions that group rules
-- ({role: "payments-operator"}) and, under the idpRoles policy, the identity provider's `roles`
-- values may name, beside the built-in admin, key-manager, developer and viewer.
CREATE TABLE org_roles (
  org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  permissions  text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, name)
);
