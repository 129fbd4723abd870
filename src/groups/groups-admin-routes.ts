import { Router, type Request } from 'express';
import { z } from 'zod';
import { principalOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { GroupsAdminService } from './groups-admin-service.js';

export const RuleBody = z
  .object({
    permission: z.string().min(1).max(100).optional(),
    role: z.string().min(1).max(50).optional(),
    resources: z.array(z.string().min(1).max(200)).max(100).optional(),
  })
  .strict()
  .refine((r) => (r.permission === undefined) !== (r.role === undefined), { message: 'give exactly one of permission or role' });

export const PutRulesBody = z.object({ rules: z.array(RuleBody).max(100) }).strict();

export const CreateGroupBody = z
  .object({
    displayName: z.string().trim().min(1, 'is required').max(200),
    description: z.string().max(500).optional(),
    rules: z.array(RuleBody).max(100).optional(),
  })
  .strict();

export const UpdateGroupBody = z.object({ displayName: z.string().trim().min(1).max(200).optional(), description: z.string().max(500).optional() }).strict();

export const ListGroupsQuery = z.object({
  q: z.string().max(200).optional(),
  source: z.enum(['scim', 'local']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const MembersQuery = z.object({
  cursor: z.string().regex(/^[0-9a-f-]{36}$/i, 'is not a cursor this server issued').optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** /api/v1/groups: groups with rules, members and keys; local groups; rule changes. */
export function groupsAdminRoutes(groups: GroupsAdminService): Router {
  const router = Router();
  const ctx = (req: Request) => ({ principal: principalOf(req), requestId: req.id });

  router.get('/', async (req, res) => {
    res.json(await groups.list(ctx(req), parseInput(ListGroupsQuery, req.query, 'query')));
  });
  router.post('/', async (req, res) => {
    res.status(201).json(await groups.createLocal(ctx(req), parseInput(CreateGroupBody, req.body)));
  });
  router.get('/:id', async (req, res) => {
    res.json(await groups.get(ctx(req), String(req.params.id)));
  });
  router.patch('/:id', async (req, res) => {
    res.json(await groups.updateLocal(ctx(req), String(req.params.id), parseInput(UpdateGroupBody, req.body)));
  });
  router.delete('/:id', async (req, res) => {
    await groups.deleteLocal(ctx(req), String(req.params.id));
    res.status(204).end();
  });
  router.get('/:id/members', async (req, res) => {
    res.json(await groups.members(ctx(req), String(req.params.id), parseInput(MembersQuery, req.query, 'query')));
  });
  router.put('/:id/rules', async (req, res) => {
    res.json(await groups.setRules(ctx(req), String(req.params.id), parseInput(PutRulesBody, req.body).rules));
  });
  return router;
}
