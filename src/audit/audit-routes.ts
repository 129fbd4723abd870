import { Router } from 'express';
import { contextOf, requirePermission } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import { AuditQuery } from './audit.js';
import type { AuditService } from './audit-service.js';

/** GET /api/v1/audit: newest first, filtered by action (`key.*` for a family), actor, target and time. */
export function auditRoutes(audit: AuditService): Router {
  const router = Router();
  // The permission first, as before any other check: a caller without it learns nothing from its query.
  router.get('/', requirePermission('audit:read'), async (req, res) => {
    const query = parseInput(AuditQuery, req.query, 'query');
    const page = await audit.list(contextOf(req), query);
    res.json({ items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor });
  });
  return router;
}
