import { Router } from 'express';
import { contextOf, requirePermission } from '../http/authenticate.js';
import type { ScimSchemasService } from './scim-schemas-service.js';

/**
 * /api/v1/scim-schemas: the extension schemas of the caller's organization (RFC 7643 §7 documents),
 * which its identity provider's SCIM requests may then carry. org:admin only: a schema decides what
 * keyscope stores about every user.
 */
export function scimSchemasRoutes(schemas: ScimSchemasService): Router {
  const router = Router();
  router.use(requirePermission('org:admin'));
  router.get('/', async (req, res) => {
    res.json(await schemas.list(contextOf(req)));
  });
  router.post('/', async (req, res) => {
    const registered = await schemas.register(contextOf(req), req.body);
    res.status(201).setHeader('Location', `${req.baseUrl}/${encodeURIComponent(registered.schema.id)}`);
    res.json(registered);
  });
  router.get('/:urn', async (req, res) => {
    res.json(await schemas.get(contextOf(req), String(req.params.urn)));
  });
  router.delete('/:urn', async (req, res) => {
    res.json(await schemas.delete(contextOf(req), String(req.params.urn)));
  });
  return router;
}
