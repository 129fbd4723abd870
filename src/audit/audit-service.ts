import { can } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import type { Db, Queryable } from '../db/db.js';
import { forbidden } from '../errors/domain-error.js';
import { enqueueEvents } from '../events/events-service.js';
import type { AuditEvent, AuditQuery, NewAuditEvent } from './audit.js';
import { insertAuditEvent, listAudit } from './audit-store.js';

/**
 * Records an event in the caller's transaction, so the log never misses a change nor holds one that
 * rolled back. Every domain records through here; audit-store.ts alone writes the table. It is also
 * where events out start (DESIGN §11): the webhooks' outbox rows an entry announces go in with it.
 */
export async function recordAudit(q: Queryable, event: NewAuditEvent): Promise<void> {
  await insertAuditEvent(q, event);
  await enqueueEvents(q, event);
}

/** Who an event names, from the context of the call that records it. */
export function auditedBy(ctx: RequestContext): Pick<NewAuditEvent, 'orgId' | 'actor' | 'requestId'> {
  return { orgId: ctx.orgId, actor: ctx.actor, requestId: ctx.requestId };
}

/** The audit log as `GET /api/v1/audit` reads it: newest first, one organization. */
export class AuditService {
  constructor(private readonly deps: { db: Db }) {}

  async list(ctx: RequestContext, query: AuditQuery): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    if (!can(ctx.principal.grant, 'audit:read')) throw forbidden('This key lacks the audit:read permission');
    const limit = query.limit ?? 100;
    const events = await listAudit(this.deps.db, ctx.orgId, {
      action: query.action,
      actor: query.actor,
      target: query.target,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      before: query.cursor,
      limit: limit + 1,
    });
    const page = events.slice(0, limit);
    return { items: page, nextCursor: events.length > limit ? page[page.length - 1]!.id : null };
  }
}
