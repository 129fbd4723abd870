-- keyscope schema. Every table carries org_id and every query filters by it (DESIGN §3).

CREATE TABLE organizations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

CREATE TABLE users (
  org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id            uuid PRIMARY KEY,
  user_name     text NOT NULL,
  external_id   text,
  active        boolean NOT NULL DEFAULT true,
  display_name  text,
  -- The rest of the SCIM document (name, emails, enterprise extension, ...), as coerced on the way in.
  attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_user_name_key ON users (org_id, lower(user_name));
CREATE INDEX users_external_id_idx ON users (org_id, external_id);
CREATE INDEX users_display_name_idx ON users (org_id, lower(display_name));
CREATE INDEX users_created_idx ON users (org_id, created_at, id);

CREATE TABLE groups (
  org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id            uuid PRIMARY KEY,
  display_name  text NOT NULL,
  external_id   text,
  source        text NOT NULL CHECK (source IN ('scim', 'local')),
  description   text NOT NULL DEFAULT '',
  -- Kept by every membership change in the same statement, so no read ever counts a large group.
  member_count  integer NOT NULL DEFAULT 0,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Unique within a source: the identity provider owns the names it syncs, so a SCIM group may share
-- a name with a local group (e.g. the bootstrap "Admins"), which SCIM clients never see.
CREATE UNIQUE INDEX groups_display_name_key ON groups (org_id, source, lower(display_name));
CREATE INDEX groups_external_id_idx ON groups (org_id, external_id);
CREATE INDEX groups_created_idx ON groups (org_id, created_at, id);

-- member_id is a user or a group (nested groups); it cannot carry a foreign key to both,
-- so the stores delete a user's or group's memberships in the same transaction as the row.
CREATE TABLE group_members (
  org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  group_id     uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  member_id    uuid NOT NULL,
  member_type  text NOT NULL CHECK (member_type IN ('User', 'Group')),
  -- The display text the identity provider sent with the member, if any (Okta checks it is echoed).
  display      text,
  PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member_idx ON group_members (member_id);

-- A rule grants a permission or a role, optionally narrowed to named resource ids.
CREATE TABLE group_rules (
  org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  group_id    uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  permission  text,
  role        text,
  resources   text[],
  PRIMARY KEY (group_id, position),
  CHECK ((permission IS NULL) <> (role IS NULL))
);

-- group_id and owner_user_id carry no foreign key on purpose: when the identity provider deletes
-- the group or the user, the key must stay and read as suspended (fail closed), not vanish or widen.
CREATE TABLE api_keys (
  org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id               text PRIMARY KEY,
  name             text NOT NULL,
  description      text NOT NULL DEFAULT '',
  kind             text NOT NULL CHECK (kind IN ('service', 'personal')),
  group_id         uuid,
  owner_user_id    uuid,
  scim             boolean NOT NULL DEFAULT false,
  permissions      text[],
  secret_hash      text NOT NULL,
  fragment         text NOT NULL,
  -- The bootstrap key's value may be any string of 32+ characters (BOOTSTRAP_ADMIN_KEY), not ksk_...
  bootstrap        boolean NOT NULL DEFAULT false,
  expires_at       timestamptz,
  revoked_at       timestamptz,
  revoked_by       text,
  rotated_from     text,
  created_by       text NOT NULL,
  created_by_name  text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_used_at     timestamptz,
  CHECK (kind = 'personal' OR owner_user_id IS NULL),
  CHECK (kind = 'service' OR owner_user_id IS NOT NULL)
);
CREATE INDEX api_keys_org_created_idx ON api_keys (org_id, created_at DESC, id DESC);
CREATE INDEX api_keys_group_idx ON api_keys (group_id);
CREATE INDEX api_keys_owner_idx ON api_keys (owner_user_id);
CREATE INDEX api_keys_bootstrap_idx ON api_keys (bootstrap) WHERE bootstrap;

CREATE TABLE audit_events (
  org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  actor_name  text NOT NULL,
  action      text NOT NULL,
  target      text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id  text
);
CREATE INDEX audit_events_org_idx ON audit_events (org_id, id DESC);
