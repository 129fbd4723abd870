import { Router } from 'express';
import { z } from 'zod';
import { isStorableTimestamp } from '../db/timestamp.js';
import { contextOf, requirePermission } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { AuditService } from './audit-service.js';

const Timestamp = z.iso.datetime({ offset: true }).refine(isStorableTimestamp, 'is not a date-time between the years 1 and 9999');

const AuditQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(200).optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'is not a cursor this server issued').optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** GET /api/v1/audit: newest first, filtered by action (`key.*` for a family), actor, target and time. */
export function auditRoutes(audit: AuditService): Router {
  const router = Router();
  // The permission first, as before any other check: a caller without it learns nothing from its query.
  router.get('/', requirePermission('audit:read'), async (req, res) => {
    const query = parseInput(AuditQuery, req.query, 'query');
    const page = await audit.list(contextOf(req), {
      action: query.action,
      actor: query.actor,
      target: query.target,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      before: query.cursor,
      limit: query.limit,
    });
    res.json({ items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor });
  });
  return router;
}
