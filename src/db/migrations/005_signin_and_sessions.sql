-- Sign-in with the organization's identity provider (issue 11, DESIGN §10).

-- One OpenID Connect client per organization. The client secret is sealed with AES-256-GCM under
-- SIGNING_KEY_SECRET ("v1.<iv>.<tag>.<data>", the organization id authenticated with it) when that
-- is set, else stored as given; it is never returned by the API, logged or audited.
CREATE TABLE sso_settings (
  org_id         uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  issuer         text NOT NULL,
  client_id      text NOT NULL,
  client_secret  text NOT NULL,
  claim          text NOT NULL,
  attribute      text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A sign-in on its way through the identity provider: found again by the SHA-256 of the random value
-- in the browser's sign-in cookie, used once, and short-lived.
CREATE TABLE signin_attempts (
  id_hash        text PRIMARY KEY,
  org_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  state          text NOT NULL,
  nonce          text NOT NULL,
  code_verifier  text NOT NULL,
  return_to      text NOT NULL,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX signin_attempts_expiry_idx ON signin_attempts (expires_at);

-- A person's session: only the SHA-256 of the cookie's value is stored.
CREATE TABLE sessions (
  id             uuid PRIMARY KEY,
  secret_hash    text NOT NULL UNIQUE,
  org_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  ended_at       timestamptz,
  end_reason     text
);
CREATE INDEX sessions_user_idx ON sessions (org_id, user_id);
-- Sessions past their lifetime are deleted a day later, as new ones begin.
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
