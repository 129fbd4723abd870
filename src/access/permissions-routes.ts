import { Router } from 'express';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';

/** GET /api/v1/permissions: what rules and keys may name (built-ins, KEYSCOPE_PERMISSIONS, roles). */
export function permissionsRoutes(catalogue: PermissionCatalogue): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ permissions: catalogue.permissions, roles: catalogue.roles() });
  });
  return router;
}
