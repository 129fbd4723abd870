import { Router } from 'express';
import type { AccessService } from './access-service.js';

/** GET /api/v1/permissions: what rules and keys may name (built-ins, KEYSCOPE_PERMISSIONS, roles). */
export function permissionsRoutes(access: AccessService): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json(access.knownPermissions());
  });
  return router;
}
