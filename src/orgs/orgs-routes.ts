import { Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { notFound } from '../http/http-error.js';
import { parseInput } from '../http/validate.js';
import type { OrgsService } from './orgs-service.js';
import { CreateOrgBody, UpdatePolicyBody } from './orgs.js';

/** /api/v1/organizations: new organizations (orgs:create) and the caller's organization policy. */
export function orgsRoutes(orgs: OrgsService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { name } = parseInput(CreateOrgBody, req.body);
    const created = await orgs.create(contextOf(req), name);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ organization: orgJson(created.organization), token: created.token, key: created.key });
  });

  router.get('/current', async (req, res) => {
    const org = await orgs.get(contextOf(req));
    if (!org) throw notFound('Organization not found');
    res.json(orgJson(org));
  });

  router.patch('/current', async (req, res) => {
    res.json(orgJson(await orgs.updatePolicy(contextOf(req), parseInput(UpdatePolicyBody, req.body))));
  });

  return router;
}

function orgJson(org: { id: string; name: string; policy: unknown; createdAt: Date }) {
  return { id: org.id, name: org.name, policy: org.policy, createdAt: org.createdAt.toISOString() };
}
