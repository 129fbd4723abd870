import type { Queryable } from '../db/db.js';
import type { AuditEvent, NewAuditEvent } from './audit.js';

/** Written in the same transaction as the change it describes (audit-service.ts recordAudit). */
export async function insertAuditEvent(q: Queryable, event: NewAuditEvent): Promise<void> {
  await q.query(
    'INSERT INTO audit_events (org_id, actor, actor_name, action, target, details, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [
      event.orgId,
      event.actor.id,
      event.actor.name,
      event.action,
      event.target ?? null,
      JSON.stringify(event.details ?? {}),
      event.requestId ?? null,
    ],
  );
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target?: string;
  since?: Date;
  until?: Date;
  /** Events with an id below this one (the previous page's last id). */
  before?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  actor_name: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
}

export async function listAudit(q: Queryable, orgId: string, query: AuditFilter): Promise<AuditEvent[]> {
  const where = ['org_id = $1'];
  const params: unknown[] = [orgId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.action)
    add(
      query.action.endsWith('.*') ? 'action LIKE ?' : 'action = ?',
      query.action.endsWith('.*') ? `${query.action.slice(0, -1)}%` : query.action,
    );
  if (query.actor) add('actor = ?', query.actor);
  if (query.target) add('target = ?', query.target);
  if (query.since) add('at >= ?', query.since);
  if (query.until) add('at < ?', query.until);
  if (query.before) add('audit_events.id < ?::bigint', query.before);
  params.push(query.limit);
  const { rows } = await q.query<AuditRow>(
    `SELECT id::text AS id, at, actor, actor_name, action, target, details, request_id
       FROM audit_events WHERE ${where.join(' AND ')} ORDER BY audit_events.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: { id: r.actor, name: r.actor_name },
    action: r.action,
    target: r.target,
    details: r.details,
    requestId: r.request_id,
  }));
}
