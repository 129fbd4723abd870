-- Events out (issue 14, DESIGN §11): webhooks per the Standard Webhooks specification, fed by an
-- outbox written in the same transaction as the change it announces.

-- An organization's webhook endpoints. The signing secret (whsec_…) must be recoverable to sign, so
-- it is sealed with AES-256-GCM under SIGNING_KEY_SECRET (the webhook id authenticated with it) when
-- that is set, else stored as given, like the sign-in client secret; never returned after create.
CREATE TABLE webhooks (
  id             uuid PRIMARY KEY,
  org_id         uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  url            text NOT NULL,
  description    text NOT NULL DEFAULT '',
  events         text[] NOT NULL,
  enabled        boolean NOT NULL DEFAULT true,
  secret         text NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX webhooks_org_idx ON webhooks (org_id);

-- The outbox: one row per event per subscribed webhook, inserted in the transaction of the change
-- (a rollback emits nothing). The id orders events; event_id is the webhook-id header, the same on
-- every attempt. A row is pending until delivered (2xx) or given up (failed). A worker holds a row
-- by a lease (locked_until) rather than an open transaction, so a process killed mid-delivery only
-- delays the row until the lease runs out.
CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  subject          text NOT NULL,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  -- Retries run until an attempt fails WEBHOOK_GIVE_UP_AFTER_SECONDS after this (the event, or a redelivery).
  retry_from       timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  locked_until     timestamptz,
  delivered_at     timestamptz,
  last_status_code integer,
  last_error       text
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subject_idx ON webhook_deliveries (webhook_id, subject, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);

-- Every attempt and what the receiver answered (a short excerpt).
CREATE TABLE webhook_attempts (
  id               bigserial PRIMARY KEY,
  delivery_id      bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at               timestamptz NOT NULL,
  status_code      integer,
  response_excerpt text,
  error            text,
  duration_ms      integer NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- Expiry notices (key.expiring 7 days ahead, key.expired): claimed in the transaction that writes the
-- event, so each is emitted once whichever process scans first.
ALTER TABLE api_keys ADD COLUMN expiring_notified_at timestamptz;
ALTER TABLE api_keys ADD COLUMN expired_notified_at timestamptz;
-- Keys that expired before webhooks existed are not announced now.
UPDATE api_keys SET expired_notified_at = now(), expiring_notified_at = now() WHERE expires_at <= now();
