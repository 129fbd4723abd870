import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { principalOf, requirePermission } from '../http/authenticate.js';
import { badRequest } from '../http/http-error.js';
import { parseInput } from '../http/validate.js';
import { searchUsers } from './users-store.js';

const ListUsersQuery = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** /api/v1/users: the provisioned users, read-only (the identity provider writes them over SCIM). */
export function usersAdminRoutes(db: Db): Router {
  const router = Router();
  router.get('/', requirePermission('users:read'), async (req, res) => {
    const query = parseInput(ListUsersQuery, req.query, 'query');
    const limit = query.limit ?? 50;
    let after: { name: string; id: string } | undefined;
    if (query.cursor) {
      try {
        const [name, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as [string, string];
        if (typeof name !== 'string' || !/^[0-9a-f-]{36}$/i.test(String(id))) throw new Error('bad');
        after = { name, id };
      } catch {
        throw badRequest('The cursor is not one this server issued', 'invalidValue', [{ field: 'cursor', message: 'Start again without a cursor' }]);
      }
    }
    const rows = await searchUsers(db, principalOf(req).orgId, { text: query.q?.trim() || undefined, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map((u) => ({ id: u.id, userName: u.user_name, displayName: u.display_name, externalId: u.external_id, active: u.active })),
      nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify([last.user_name.toLowerCase(), last.id])).toString('base64url') : null,
    });
  });
  return router;
}
