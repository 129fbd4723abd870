import type { Queryable } from '../db/db.js';
import type {
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  EventPayload,
  EventType,
  OutboxEvent,
  Webhook,
} from './events.js';

interface WebhookRow {
  id: string;
  url: string;
  description: string;
  events: EventType[];
  enabled: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const WEBHOOK_COLUMNS = 'id, url, description, events, enabled, created_by, created_at, updated_at';

function toWebhook(r: WebhookRow): Webhook {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    enabled: r.enabled,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function insertWebhook(
  q: Queryable,
  w: {
    id: string;
    orgId: string;
    url: string;
    description: string;
    events: string[];
    enabled: boolean;
    secret: string;
    createdBy: string;
    now: Date;
  },
): Promise<Webhook> {
  const { rows } = await q.query<WebhookRow>(
    `INSERT INTO webhooks (id, org_id, url, description, events, enabled, secret, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ${WEBHOOK_COLUMNS}`,
    [w.id, w.orgId, w.url, w.description, w.events, w.enabled, w.secret, w.createdBy, w.now],
  );
  return toWebhook(rows[0]!);
}

export async function findWebhook(
  q: Queryable,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<Webhook | undefined> {
  const { rows } = await q.query<WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [orgId, id],
  );
  return rows[0] ? toWebhook(rows[0]) : undefined;
}

export async function listWebhooks(q: Queryable, orgId: string): Promise<Webhook[]> {
  const { rows } = await q.query<WebhookRow>(
    `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE org_id = $1 ORDER BY created_at, id`,
    [orgId],
  );
  return rows.map(toWebhook);
}

export async function updateWebhook(
  q: Queryable,
  orgId: string,
  id: string,
  w: { url: string; description: string; events: string[]; enabled: boolean; now: Date },
): Promise<Webhook | undefined> {
  const { rows } = await q.query<WebhookRow>(
    `UPDATE webhooks SET url = $3, description = $4, events = $5, enabled = $6, updated_at = $7
      WHERE org_id = $1 AND id = $2 RETURNING ${WEBHOOK_COLUMNS}`,
    [orgId, id, w.url, w.description, w.events, w.enabled, w.now],
  );
  return rows[0] ? toWebhook(rows[0]) : undefined;
}

export async function deleteWebhook(q: Queryable, orgId: string, id: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM webhooks WHERE org_id = $1 AND id = $2', [orgId, id]);
  return rowCount > 0;
}

/**
 * One outbox row per enabled webhook of the organization that subscribes to the event, in the
 * caller's transaction. Returns how many rows were written.
 */
export async function insertOutbox(
  q: Queryable,
  orgId: string,
  eventId: string,
  event: OutboxEvent,
  at: Date,
): Promise<number> {
  const { rowCount } = await q.query(
    `INSERT INTO webhook_deliveries (org_id, webhook_id, event_id, event_type, subject, payload, created_at, retry_from,
                                     next_attempt_at)
     SELECT org_id, id, $2, $3, $4, $5, $6, $6, $6 FROM webhooks
      WHERE org_id = $1 AND enabled AND $3 = ANY (events)
      ORDER BY id`,
    [orgId, eventId, event.type, event.subject, JSON.stringify(event.payload), at],
  );
  return rowCount;
}

/** A delivery claimed by a worker: what to send, where, and with which sealed secret. */
export interface ClaimedDelivery {
  id: string;
  orgId: string;
  webhookId: string;
  url: string;
  secret: string;
  eventId: string;
  payload: EventPayload;
  /** When its retries started: the event, or the last redelivery. */
  retryFrom: Date;
  attempts: number;
}

interface ClaimRow {
  id: string;
  org_id: string;
  webhook_id: string;
  url: string;
  secret: string;
  event_id: string;
  payload: EventPayload;
  retry_from: Date;
  attempts: number;
}

/**
 * Claims up to `limit` due deliveries until `leaseUntil`: rows no other worker holds (SKIP LOCKED
 * while claiming; the lease afterwards) of enabled webhooks (a disabled one keeps its deliveries
 * pending until it is enabled again), each the oldest pending one of its subject for its webhook,
 * so event N+1 about a key never overtakes event N. A worker killed mid-delivery leaves its rows to be
 * claimed again when the lease runs out.
 */
export async function claimDue(q: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const { rows } = await q.query<ClaimRow>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d
         JOIN webhooks h ON h.id = d.webhook_id AND h.enabled
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1
          AND (d.locked_until IS NULL OR d.locked_until <= $1)
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries e
             WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject AND e.status = 'pending' AND e.id < d.id)
        ORDER BY d.next_attempt_at, d.id
        LIMIT $3
        FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d SET locked_until = $2 FROM due, webhooks w
      WHERE d.id = due.id AND w.id = d.webhook_id
     RETURNING d.id::text AS id, d.org_id, d.webhook_id, w.url, w.secret, d.event_id, d.payload, d.retry_from, d.attempts`,
    [now, leaseUntil, limit],
  );
  return rows
    .map((r) => ({
      id: r.id,
      orgId: r.org_id,
      webhookId: r.webhook_id,
      url: r.url,
      secret: r.secret,
      eventId: r.event_id,
      payload: r.payload,
      retryFrom: r.retry_from,
      attempts: r.attempts,
    }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

/** The earliest time a pending delivery becomes due (for the worker's next wake-up), or null. */
export async function nextDueAt(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ at: Date | null }>(
    `SELECT min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) AS at
       FROM webhook_deliveries WHERE status = 'pending'`,
  );
  return rows[0]?.at ?? null;
}

/** Records one attempt and its outcome: delivered, pending again at `nextAt`, or failed (nextAt null). */
export async function recordAttempt(
  q: Queryable,
  deliveryId: string,
  attempt: DeliveryAttempt,
  outcome: { delivered: true } | { delivered: false; nextAt: Date | null },
): Promise<void> {
  await q.query(
    `INSERT INTO webhook_attempts (delivery_id, at, status_code, response_excerpt, error, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [deliveryId, attempt.at, attempt.statusCode, attempt.responseExcerpt, attempt.error, attempt.durationMs],
  );
  if (outcome.delivered) {
    await q.query(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $2,
              locked_until = NULL, last_status_code = $3, last_error = NULL WHERE id = $1`,
      [deliveryId, attempt.at, attempt.statusCode],
    );
    return;
  }
  await q.query(
    `UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, next_attempt_at = coalesce($3, next_attempt_at),
            locked_until = NULL, last_status_code = $4, last_error = $5 WHERE id = $1`,
    [deliveryId, outcome.nextAt ? 'pending' : 'failed', outcome.nextAt, attempt.statusCode, attempt.error],
  );
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  delivered_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  payload: EventPayload;
}

interface AttemptRow {
  delivery_id: string;
  at: Date;
  status_code: number | null;
  response_excerpt: string | null;
  error: string | null;
  duration_ms: number;
}

/** A webhook's deliveries, newest first, with their attempts. */
export async function listDeliveries(
  q: Queryable,
  orgId: string,
  webhookId: string,
  filter: { status?: DeliveryStatus; before?: string; limit: number },
): Promise<Delivery[]> {
  const params: unknown[] = [orgId, webhookId];
  const where = ['org_id = $1', 'webhook_id = $2'];
  if (filter.status) {
    params.push(filter.status);
    where.push(`status = $${params.length}`);
  }
  if (filter.before) {
    params.push(filter.before);
    where.push(`id < $${params.length}::bigint`);
  }
  params.push(filter.limit);
  const { rows } = await q.query<DeliveryRow>(
    `SELECT id::text AS id, event_id, event_type, subject, status, attempts, created_at, next_attempt_at, delivered_at,
            last_status_code, last_error, payload
       FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  if (!rows.length) return [];
  const { rows: attempts } = await q.query<AttemptRow>(
    `SELECT delivery_id::text AS delivery_id, at, status_code, response_excerpt, error, duration_ms
       FROM webhook_attempts WHERE delivery_id = ANY ($1::bigint[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.event_type,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
    deliveredAt: r.delivered_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    payload: r.payload,
    attemptLog: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        at: a.at,
        statusCode: a.status_code,
        responseExcerpt: a.response_excerpt,
        error: a.error,
        durationMs: a.duration_ms,
      })),
  }));
}

/** Puts a delivery back in the queue, due now (an admin's redeliver). False when there is no such delivery. */
export async function requeueDelivery(
  q: Queryable,
  orgId: string,
  webhookId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $4, retry_from = $4, locked_until = NULL
      WHERE org_id = $1 AND webhook_id = $2 AND id = $3::bigint`,
    [orgId, webhookId, id, now],
  );
  return rowCount > 0;
}
