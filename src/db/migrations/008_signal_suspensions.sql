-- Signals in (issue 14, DESIGN §11): what identity providers tell keyscope outside SCIM.

-- A personal key an identity provider's signal suspended (Okta Universal Logout: idp_logout; a
-- Shared Signals event: idp_signal). Stored, unlike the other suspensions (computed from the owner
-- and the groups), so that an enabling signal or an admin restores exactly these keys and no other.
ALTER TABLE api_keys
  ADD COLUMN signal_suspended_at timestamptz,
  ADD COLUMN signal_suspension_reason text CHECK (signal_suspension_reason IN ('idp_signal', 'idp_logout')),
  ADD CONSTRAINT api_keys_signal_suspension_whole
    CHECK ((signal_suspended_at IS NULL) = (signal_suspension_reason IS NULL));

-- Who may send signals to an organization, and what a signal does there. Keys (JWKS) are public
-- keys only; the Universal Logout issuer names one organization (the token says nothing else).
CREATE TABLE signal_settings (
  org_id                   uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  transmitters             jsonb NOT NULL DEFAULT '[]'::jsonb,
  universal_logout         jsonb,
  universal_logout_issuer  text,
  on_signal                text NOT NULL DEFAULT 'suspend_keys' CHECK (on_signal IN ('suspend_keys', 'end_sessions')),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signal_settings_universal_logout_issuer ON signal_settings (universal_logout_issuer)
  WHERE universal_logout_issuer IS NOT NULL;

-- Signals that took effect, by their token's jti per organization and issuer: the same jti again
-- has no second effect (RFC 8417 §2.2, RFC 8935 §2). Written in the transaction of the effect.
CREATE TABLE signal_receipts (
  org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  issuer       text NOT NULL,
  jti          text NOT NULL,
  source       text NOT NULL CHECK (source IN ('universal_logout', 'ssf')),
  event_types  text[] NOT NULL,
  user_id      uuid,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (org_id, issuer, jti)
);
CREATE INDEX api_keys_signal_suspended_idx ON api_keys (org_id, owner_user_id) WHERE signal_suspended_at IS NOT NULL;
