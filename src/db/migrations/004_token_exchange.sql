-- Impersonation keys (issue 12): fixed when the key is created, kept by rotation.
ALTER TABLE api_keys ADD COLUMN impersonation boolean NOT NULL DEFAULT false;

-- The keys keyscope signs its tokens with (RFC 8693 token exchange). Platform-wide, not per
-- organization: one issuer, one JWKS. At most one current key (retired_at IS NULL); a retired key's
-- public part stays published until every token it signed has expired.
CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  public_jwk   jsonb NOT NULL,
  -- The private JWK as JSON, or sealed with AES-256-GCM under SIGNING_KEY_SECRET ("v1.<iv>.<tag>.<data>").
  private_jwk  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE retired_at IS NULL;
