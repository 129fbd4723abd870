import { Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { RolesService } from './roles-service.js';
import { CreateRoleBody, UpdateRoleBody } from './roles.js';

/** /api/v1/roles: the built-in roles (read-only) and the roles the organization defines (issue 13). */
export function rolesRoutes(roles: RolesService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await roles.list(contextOf(req)));
  });
  router.post('/', async (req, res) => {
    const created = await roles.create(contextOf(req), parseInput(CreateRoleBody, req.body));
    res.status(201).setHeader('Location', `${req.baseUrl}/${encodeURIComponent(created.name)}`);
    res.json(created);
  });
  router.get('/:name', async (req, res) => {
    res.json(await roles.get(contextOf(req), String(req.params.name)));
  });
  router.patch('/:name', async (req, res) => {
    res.json(await roles.update(contextOf(req), String(req.params.name), parseInput(UpdateRoleBody, req.body)));
  });
  router.delete('/:name', async (req, res) => {
    await roles.delete(contextOf(req), String(req.params.name));
    res.status(204).end();
  });
  return router;
}
