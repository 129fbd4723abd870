import { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '../http/authenticate.js';
import { notFound } from '../http/http-error.js';
import { parseInput } from '../http/validate.js';
import { EXPIRATION_PRESETS } from './orgs.js';
import type { OrgsService } from './orgs-service.js';

export const CreateOrgBody = z.object({ name: z.string().trim().min(1, 'is required').max(100) }).strict();

export const UpdatePolicyBody = z
  .object({
    maxKeys: z.number().int().min(1).max(100000).optional(),
    allowedExpirations: z.array(z.enum(EXPIRATION_PRESETS)).min(1).optional(),
    allowNever: z.boolean().optional(),
    maxScimKeyLifetimeDays: z.number().int().min(1).max(36500).nullable().optional(),
  })
  .strict();

/** /api/v1/organizations: new organizations (orgs:create) and the caller's organization policy. */
export function orgsRoutes(orgs: OrgsService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { name } = parseInput(CreateOrgBody, req.body);
    const created = await orgs.create(principalOf(req), name, req.id);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ organization: orgJson(created.organization), token: created.token, key: created.key });
  });

  router.get('/current', async (req, res) => {
    const org = await orgs.get(principalOf(req).orgId);
    if (!org) throw notFound('Organization not found');
    res.json(orgJson(org));
  });

  router.patch('/current', async (req, res) => {
    res.json(orgJson(await orgs.updatePolicy(principalOf(req), parseInput(UpdatePolicyBody, req.body), req.id)));
  });

  return router;
}

function orgJson(org: { id: string; name: string; policy: unknown; createdAt: Date }) {
  return { id: org.id, name: org.name, policy: org.policy, createdAt: org.createdAt.toISOString() };
}
