import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { GroupsService } from '../groups/groups-service.js';
import type { RolesService } from '../groups/roles-service.js';
import { authenticate, principalOf, type TokenAuthenticator } from '../http/authenticate.js';
import { errorHandler } from '../http/error-handler.js';
import { HttpError, forbidden } from '../http/http-error.js';
import { jsonBody } from '../http/json-body.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import type { UsersService } from '../users/users-service.js';
import type { ScimSchemasService } from '../users/scim-schemas-service.js';
import { discoveryRoutes } from './discovery-routes.js';
import { rolesAndEntitlementsRoutes } from './roles-entitlements-routes.js';
import { rootSearchRoutes } from './root-search-routes.js';
import { rememberScimBase } from './scim-http.js';
import { groupsRoutes } from './groups/groups-routes.js';
import { usersRoutes } from './users/users-routes.js';

export interface ScimRouterDeps {
  authenticator: TokenAuthenticator;
  users: UsersService;
  scimSchemas: ScimSchemasService;
  groups: GroupsService;
  /** keyscope's roles and permissions, served as /Roles and /Entitlements. */
  permissions: PermissionCatalogue;
  /** The organization's own roles, listed in /Roles beside the built-in ones. */
  roles: RolesService;
  logger: Logger;
}

/** Only keys with the SCIM flag may call /scim/v2 (DESIGN §1). */
function requireScimFlag(req: Request, _res: Response, next: NextFunction) {
  if (!principalOf(req).scim)
    throw forbidden(
      'This API key does not carry the SCIM permission; create a key with the SCIM flag for your identity provider',
    );
  next();
}

/** /scim/v2: every answer, errors included, is application/scim+json with a SCIM error body. */
export function scimRouter(deps: ScimRouterDeps): Router {
  const router = Router({ caseSensitive: false });
  router.use(rememberScimBase);
  router.use(authenticate(deps.authenticator));
  router.use(requireScimFlag);
  router.use(jsonBody());
  router.use('/Users', usersRoutes(deps.users, deps.scimSchemas));
  router.use('/Groups', groupsRoutes(deps.groups, deps.scimSchemas));
  router.use(rootSearchRoutes(deps.users, deps.scimSchemas));
  router.use(rolesAndEntitlementsRoutes(deps.permissions, deps.roles));
  router.use(discoveryRoutes(deps.scimSchemas));
  router.use((req) => {
    throw new HttpError(404, 'not_found', `No SCIM endpoint at ${req.method} ${req.baseUrl}${req.path}`);
  });
  router.use(errorHandler(deps.logger, 'scim'));
  return router;
}
