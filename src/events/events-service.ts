import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import { notify } from '../db/notify.js';
import { isUuid } from '../db/uuid.js';
import type { Actor } from '../principals/actor.js';
import { can } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import {
  type CreateWebhookBody,
  type Delivery,
  type DeliveriesQuery,
  EVENT_OF_ACTION,
  EVENT_TYPES,
  type EventType,
  type OutboxEvent,
  type UpdateWebhookBody,
  type Webhook,
} from './events.js';
import { eventErrors } from './events-errors.js';
import {
  deleteWebhook,
  findWebhook,
  insertOutbox,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  requeueDelivery,
  updateWebhook,
} from './events-store.js';
import { targetProblem } from './targets.js';

/** The channel that wakes every process's delivery worker once an outbox row commits. */
export const EVENTS_CHANNEL = 'keyscope_events';

/**
 * A change as the audit log records it (audit/ calls `enqueueEvents` with each entry it writes):
 * the same shape as audit's NewAuditEvent, declared here so that events/ stays below audit/.
 */
export interface RecordedChange {
  orgId: string;
  actor: Actor;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  /** Subjects an entry speaks for beyond its target (`key.revoke_all`: every key it revoked); not stored. */
  subjects?: string[];
}

// Never sent, whatever a details object holds: events name things, they never carry secrets.
const SECRET_FIELD = /secret|token|hash|password|credential|jwt|assertion/i;

/** A details value without its secret-named fields, at any depth (a signal's details nest). */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !SECRET_FIELD.test(k))
      .map(([k, v]) => [k, withoutSecrets(v)]),
  );
}

/**
 * A webhook URL as the audit log keeps it: its origin only. audit:read is not org:admin, and a URL's
 * path and query are where many receivers keep a credential (docs/security.md §13).
 */
function auditedUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** The events an audited change announces (none for most actions), one per subject. */
export function eventsOf(change: RecordedChange, at: Date): OutboxEvent[] {
  const type = EVENT_OF_ACTION[change.action];
  if (!type) return [];
  const details = withoutSecrets(change.details ?? {}) as Record<string, unknown>;
  const base = { organizationId: change.orgId, actor: { id: change.actor.id, name: change.actor.name } };
  if (change.action === 'key.revoke_all') {
    // One key.revoked per key, in the order revoked, so each key's events stay in order.
    const via = change.target ?? null;
    return (change.subjects ?? []).map((keyId) => ({
      type,
      subject: `key:${keyId}`,
      payload: { type, timestamp: at.toISOString(), data: { ...base, key: { id: keyId }, revokedWith: via } },
    }));
  }
  const target = change.target ?? `org:${change.orgId}`;
  const colon = target.indexOf(':');
  const kind = colon > 0 ? target.slice(0, colon) : 'subject';
  const id = colon > 0 ? target.slice(colon + 1) : target;
  const name = kind === 'key' || kind === 'user' || kind === 'group' ? kind : 'subject';
  return [
    {
      type,
      subject: target,
      payload: { type, timestamp: at.toISOString(), data: { ...base, [name]: { id, ...details } } },
    },
  ];
}

/**
 * Writes the outbox rows of an audited change in its transaction: one per subscribed, enabled
 * webhook, and a NOTIFY that wakes the delivery workers when (and only if) it commits.
 */
export async function enqueueEvents(q: Queryable, change: RecordedChange, at: Date = new Date()): Promise<number> {
  const events = eventsOf(change, at);
  let written = 0;
  for (const event of events) {
    written += await insertOutbox(q, change.orgId, `msg_${randomUUID().replaceAll('-', '')}`, event, at);
  }
  if (written) await notify(q, EVENTS_CHANNEL, [change.orgId]);
  return written;
}

/** Seals webhook secrets at rest (tokens/' AES-256-GCM sealing, wired in app.ts). */
export interface SecretSealer {
  seal(plain: string, webhookId: string): string;
  open(sealed: string, webhookId: string): string;
}

/** Writes an audit entry in the caller's transaction (audit/'s recordAudit, wired in app.ts). */
export type AuditRecorder = (q: Queryable, change: RecordedChange & { requestId?: string }) => Promise<void>;

export interface WebhooksServiceDeps {
  db: Db;
  now: () => Date;
  sealer: SecretSealer;
  audit: AuditRecorder;
  allowPrivateTargets: boolean;
}

/** The webhooks admin API (org:admin): endpoints, their deliveries, redelivery. */
export class WebhooksService {
  constructor(private readonly deps: WebhooksServiceDeps) {}

  async list(ctx: RequestContext): Promise<Webhook[]> {
    this.requireAdmin(ctx);
    return listWebhooks(this.deps.db, ctx.orgId);
  }

  async get(ctx: RequestContext, id: string): Promise<Webhook> {
    this.requireAdmin(ctx);
    const hook = isUuid(id) ? await findWebhook(this.deps.db, ctx.orgId, id) : undefined;
    if (!hook) throw eventErrors.notFound(id);
    return hook;
  }

  /** A new webhook and its signing secret (`whsec_` + 32 random bytes, base64), returned this once. */
  async create(ctx: RequestContext, input: CreateWebhookBody): Promise<{ webhook: Webhook; secret: string }> {
    this.requireAdmin(ctx);
    const events = this.checkEvents(input.events);
    await this.checkTarget(input.url);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const webhook = await this.deps.db.transaction(async (tx) => {
      const created = await insertWebhook(tx, {
        id,
        orgId: ctx.orgId,
        url: input.url,
        description: input.description ?? '',
        events,
        enabled: input.enabled ?? true,
        secret: this.deps.sealer.seal(secret, id),
        createdBy: ctx.actor.id,
        now: this.deps.now(),
      });
      await this.deps.audit(tx, {
        ...this.audited(ctx),
        action: 'webhook.create',
        target: `webhook:${id}`,
        details: { url: auditedUrl(input.url), events, enabled: created.enabled },
      });
      return created;
    });
    return { webhook, secret };
  }

  async update(ctx: RequestContext, id: string, input: UpdateWebhookBody): Promise<Webhook> {
    this.requireAdmin(ctx);
    if (!isUuid(id)) throw eventErrors.notFound(id);
    const events = input.events ? this.checkEvents(input.events) : undefined;
    if (input.url !== undefined) await this.checkTarget(input.url);
    return this.deps.db.transaction(async (tx) => {
      const current = await findWebhook(tx, ctx.orgId, id, true);
      if (!current) throw eventErrors.notFound(id);
      const next = {
        url: input.url ?? current.url,
        description: input.description ?? current.description,
        events: events ?? current.events,
        enabled: input.enabled ?? current.enabled,
      };
      const updated = (await updateWebhook(tx, ctx.orgId, id, { ...next, now: this.deps.now() }))!;
      await this.deps.audit(tx, {
        ...this.audited(ctx),
        action: 'webhook.update',
        target: `webhook:${id}`,
        details: { ...next, url: auditedUrl(next.url) },
      });
      // Enabled again: what waited is due now.
      if (next.enabled && !current.enabled) await notify(tx, EVENTS_CHANNEL, [ctx.orgId]);
      return updated;
    });
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    this.requireAdmin(ctx);
    if (!isUuid(id)) throw eventErrors.notFound(id);
    await this.deps.db.transaction(async (tx) => {
      const current = await findWebhook(tx, ctx.orgId, id, true);
      if (!current) throw eventErrors.notFound(id);
      await deleteWebhook(tx, ctx.orgId, id);
      await this.deps.audit(tx, {
        ...this.audited(ctx),
        action: 'webhook.delete',
        target: `webhook:${id}`,
        details: { url: auditedUrl(current.url) },
      });
    });
  }

  async deliveries(
    ctx: RequestContext,
    id: string,
    query: DeliveriesQuery,
  ): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    await this.get(ctx, id);
    const limit = query.limit ?? 50;
    const rows = await listDeliveries(this.deps.db, ctx.orgId, id, {
      status: query.status,
      before: query.cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { items: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /** Queues a delivery again, due now; the worker sends it with the same webhook-id. */
  async redeliver(ctx: RequestContext, id: string, deliveryId: string): Promise<void> {
    await this.get(ctx, id);
    if (!/^\d{1,18}$/.test(deliveryId)) throw eventErrors.deliveryNotFound(deliveryId);
    await this.deps.db.transaction(async (tx) => {
      // Due by the wall clock the delivery worker runs on (app.ts).
      if (!(await requeueDelivery(tx, ctx.orgId, id, deliveryId, new Date())))
        throw eventErrors.deliveryNotFound(deliveryId);
      await this.deps.audit(tx, {
        ...this.audited(ctx),
        action: 'webhook.redeliver',
        target: `webhook:${id}`,
        details: { deliveryId },
      });
      await notify(tx, EVENTS_CHANNEL, [ctx.orgId]);
    });
  }

  private requireAdmin(ctx: RequestContext): void {
    if (!can(ctx.principal.grant, 'org:admin')) throw eventErrors.needsAdmin();
  }

  private checkEvents(names: string[]): EventType[] {
    const known = new Set<string>(EVENT_TYPES);
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length) throw eventErrors.unknownEvents(unknown, EVENT_TYPES);
    return [...new Set(names)] as EventType[];
  }

  private async checkTarget(url: string): Promise<void> {
    const problem = await targetProblem(url, this.deps.allowPrivateTargets);
    if (problem) throw eventErrors.badTarget(url, problem);
  }

  private audited(ctx: RequestContext) {
    return { orgId: ctx.orgId, actor: ctx.actor, requestId: ctx.requestId };
  }
}
