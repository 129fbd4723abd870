import { Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { catalogue } from '../schema/catalogue.js';
import type { UsersService } from '../users/users-service.js';
import type { ScimSchemasService } from '../users/scim-schemas-service.js';
import { includes, parseProjection, project, projectUser } from './attributes/projection.js';
import { scimGroup } from './groups/group-document.js';
import { listParams, readSearchRequest } from './list-params.js';
import { listResponse } from './list-response.js';
import { scimBaseUrl, sendScim } from './scim-http.js';
import { scimUser } from './users/user-document.js';

/**
 * POST /.search (RFC 7644 §3.4.3) on the root: a query over every resource type (§3.4.2.1), users
 * and groups in one list, with the filters, sorting, paging (startIndex/count and RFC 9865 cursors)
 * and attribute selection of a GET on either, run in SQL. An attribute one type lacks has no value
 * there; `meta.resourceType eq "Group"` narrows to one type.
 */
export function rootSearchRoutes(users: UsersService, scimSchemas: ScimSchemasService): Router {
  const router = Router({ caseSensitive: false });
  const groupCat = catalogue('Group');

  router.post('/.search', async (req, res) => {
    const userCat = await scimSchemas.catalogue(contextOf(req).orgId);
    const params = listParams(readSearchRequest(req.body), 'Root');
    // `attributes` names attributes of either type; each resource keeps those its type has.
    const userProjection = parseProjection(userCat, params.selection);
    const groupProjection = parseProjection(groupCat, params.selection);
    const { rows, total } = await users.searchDirectory(contextOf(req), {
      filter: params.filter,
      sort: params.sort,
      window: params.window,
      withGroups: includes(userProjection, 'groups'),
      withMembers: includes(groupProjection, 'members'),
      catalogue: userCat,
    });
    const base = scimBaseUrl(req);
    sendScim(
      res,
      200,
      listResponse(params, rows, total, (entry) =>
        entry.resourceType === 'User'
          ? projectUser(scimUser(entry.user, base, userCat), userCat, userProjection)
          : project(scimGroup(entry.group, base), groupProjection),
      ),
    );
  });

  return router;
}
