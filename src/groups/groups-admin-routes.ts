import { Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { GroupsAdminService } from './groups-admin-service.js';
import { CreateGroupBody, ListGroupsQuery, MembersQuery, PutRulesBody, UpdateGroupBody } from './groups.js';

/** /api/v1/groups: groups with rules, members and keys; local groups; rule changes. */
export function groupsAdminRoutes(groups: GroupsAdminService): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    res.json(await groups.list(contextOf(req), parseInput(ListGroupsQuery, req.query, 'query')));
  });
  router.post('/', async (req, res) => {
    res.status(201).json(await groups.createLocal(contextOf(req), parseInput(CreateGroupBody, req.body)));
  });
  router.get('/:id', async (req, res) => {
    res.json(await groups.get(contextOf(req), String(req.params.id)));
  });
  router.patch('/:id', async (req, res) => {
    res.json(await groups.updateLocal(contextOf(req), String(req.params.id), parseInput(UpdateGroupBody, req.body)));
  });
  router.delete('/:id', async (req, res) => {
    await groups.deleteLocal(contextOf(req), String(req.params.id));
    res.status(204).end();
  });
  router.get('/:id/members', async (req, res) => {
    res.json(await groups.members(contextOf(req), String(req.params.id), parseInput(MembersQuery, req.query, 'query')));
  });
  router.put('/:id/rules', async (req, res) => {
    res.json(await groups.setRules(contextOf(req), String(req.params.id), parseInput(PutRulesBody, req.body).rules));
  });
  return router;
}
