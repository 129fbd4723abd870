import { Router } from 'express';
import { z } from 'zod';
import { contextOf, requirePermission } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { UsersService } from './users-service.js';

const ListUsersQuery = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** /api/v1/users: the provisioned users, read-only (the identity provider writes them over SCIM). */
export function usersAdminRoutes(users: UsersService): Router {
  const router = Router();
  // The permission first, as before any other check: a caller without it learns nothing from its query.
  router.get('/', requirePermission('users:read'), async (req, res) => {
    res.json(await users.listForAdmin(contextOf(req), parseInput(ListUsersQuery, req.query, 'query')));
  });
  return router;
}
