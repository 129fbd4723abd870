import { Router } from 'express';
import { contextOf, requirePermission } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { UsersService } from './users-service.js';
import { ListUsersQuery } from './users.js';

/** /api/v1/users and /api/v1/users/:id: the provisioned users, read-only (the identity provider writes them over SCIM). */
export function usersAdminRoutes(users: UsersService): Router {
  const router = Router();
  // The permission first, as before any other check: a caller without it learns nothing from its query.
  router.get('/', requirePermission('users:read'), async (req, res) => {
    res.json(await users.listForAdmin(contextOf(req), parseInput(ListUsersQuery, req.query, 'query')));
  });
  router.get('/:id', requirePermission('users:read'), async (req, res) => {
    res.json(await users.getForAdmin(contextOf(req), String(req.params.id)));
  });
  return router;
}
