import { Router, type Request } from 'express';
import type { RoleView } from '../groups/roles.js';
import type { RolesService } from '../groups/roles-service.js';
import { contextOf } from '../http/authenticate.js';
import { HttpError, badRequest, notFound } from '../http/http-error.js';
import type { PermissionCatalogue } from '../principals/permission-catalogue.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { parseFilter } from '../schema/filter-parser.js';
import { LIST_RESPONSE_SCHEMA } from '../schema/scimmy.js';
import { DEFAULT_COUNT, MAX_COUNT } from './list-params.js';
import { scimBaseUrl, sendScim } from './scim-http.js';

/**
 * keyscope's roles and permissions as read-only SCIM resources, so an identity provider can offer
 * them for assignment (Okta Identity Governance's entitlement discovery reads /ResourceTypes, then
 * every endpoint whose schema is Okta's Role or Entitlement URN; draft-ietf-scim-roles-entitlements
 * describes the same idea). A resource's `id` is the value to send in a user's `roles` or
 * `entitlements`: a role name, a permission. They are the deployment's configuration, a few dozen at
 * most, so lists are filtered and paged here rather than in SQL.
 */
export const ROLE_SCHEMA = 'urn:okta:scim:schemas:core:1.0:Role';
export const ENTITLEMENT_SCHEMA = 'urn:okta:scim:schemas:core:1.0:Entitlement';

interface CatalogueResource {
  id: string;
  displayName: string;
  type: string;
  description: string;
}

const ROLE_NAMES: Record<string, string> = {
  admin: 'Administrator',
  'key-manager': 'Key manager',
  developer: 'Developer',
  viewer: 'Viewer',
};

/** The built-in roles and the organization's own (/api/v1/roles), as Okta's Role resources. */
export function roleResources(roles: readonly RoleView[]): CatalogueResource[] {
  return roles.map((role) => ({
    id: role.name,
    displayName: (role.builtin ? ROLE_NAMES[role.name] : undefined) ?? role.name,
    type: 'Role',
    description: role.builtin
      ? `keyscope role ${role.name}: ${role.permissions.join(', ')}`
      : `${role.description || 'role of this organization'}: ${role.permissions.join(', ')}`,
  }));
}

export function entitlementResources(catalogue: PermissionCatalogue): CatalogueResource[] {
  return catalogue.entitlements().map((p) => ({
    id: p.name,
    displayName: p.name,
    type: 'Permission',
    description: p.description,
  }));
}

const ATTRIBUTES = ['id', 'displayName', 'type', 'description'] as const;

/** The few attributes these resources have, compared as caseExact: false strings (RFC 7644 §3.4.2.2). */
function matches(resource: CatalogueResource, node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
      return matches(resource, node.left) && matches(resource, node.right);
    case 'or':
      return matches(resource, node.left) || matches(resource, node.right);
    case 'not':
      return !matches(resource, node.expr);
    case 'present':
      return attributeOf(resource, node.path) !== '';
    case 'valuePath':
      throw badRequest(`"${node.path}" is not multi-valued, so it takes no [filter]`, 'invalidFilter');
    case 'compare': {
      const actual = attributeOf(resource, node.path).toLowerCase();
      if (typeof node.value !== 'string')
        throw badRequest(`"${node.path}" is a string; compare it with a string in quotes`, 'invalidFilter');
      const wanted = node.value.toLowerCase();
      switch (node.op) {
        case 'eq':
          return actual === wanted;
        case 'ne':
          return actual !== wanted;
        case 'co':
          return actual.includes(wanted);
        case 'sw':
          return actual.startsWith(wanted);
        case 'ew':
          return actual.endsWith(wanted);
        case 'gt':
          return actual > wanted;
        case 'ge':
          return actual >= wanted;
        case 'lt':
          return actual < wanted;
        case 'le':
          return actual <= wanted;
      }
    }
  }
}

function attributeOf(resource: CatalogueResource, path: string): string {
  const bare = path.replace(/^urn:okta:scim:schemas:core:1\.0:(role|entitlement):/i, '').toLowerCase();
  const name = ATTRIBUTES.find((a) => a.toLowerCase() === bare);
  if (!name)
    throw badRequest(
      `"${path}" is not an attribute that can be filtered on; use ${ATTRIBUTES.join(', ')}`,
      'invalidFilter',
    );
  return resource[name];
}

function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw badRequest(`Give ${name} once`, name === 'filter' ? 'invalidFilter' : 'invalidValue');
  return value;
}

function whole(req: Request, name: string): number | undefined {
  const raw = single(req, name)?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d{1,9}$/.test(raw)) throw badRequest(`${name} must be a whole number`, 'invalidValue');
  return Number(raw);
}

function readOnlyResources(
  path: '/Roles' | '/Entitlements',
  resourceType: 'Role' | 'Entitlement',
  schema: string,
  all: (req: Request) => Promise<CatalogueResource[]>,
): Router {
  const router = Router({ caseSensitive: false });
  const render = (req: Request, r: CatalogueResource) => ({
    schemas: [schema],
    ...r,
    meta: { resourceType, location: `${scimBaseUrl(req)}${path}/${encodeURIComponent(r.id)}` },
  });

  router.get(path, async (req, res) => {
    const text = single(req, 'filter');
    const filter = text === undefined || text.trim() === '' ? undefined : parseFilter(text);
    // RFC 7644 §3.4.2.4: startIndex below 1 is 1; count below 0 is 0.
    const startIndex = Math.max(1, whole(req, 'startIndex') ?? 1);
    const count = Math.min(MAX_COUNT, Math.max(0, whole(req, 'count') ?? DEFAULT_COUNT));
    const every = await all(req);
    const found = filter ? every.filter((r) => matches(r, filter)) : every;
    const page = found.slice(startIndex - 1, startIndex - 1 + count);
    sendScim(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: found.length,
      itemsPerPage: page.length,
      startIndex,
      Resources: page.map((r) => render(req, r)),
    });
  });

  router.get(`${path}/:id`, async (req, res) => {
    const id = String(req.params.id);
    const found = (await all(req)).find((r) => r.id === id);
    if (!found) throw notFound(`${resourceType} ${id} not found`);
    sendScim(res, 200, render(req, found));
  });

  const readOnly = () => {
    const what = resourceType === 'Role' ? 'roles' : 'permissions';
    const attribute = resourceType === 'Role' ? 'roles' : 'entitlements';
    throw new HttpError(
      405,
      'method_not_allowed',
      `${path} is read-only: keyscope's ${what} come from its configuration${resourceType === 'Role' ? ' and /api/v1/roles' : ''}; assign them through a user's ${attribute}`,
    );
  };
  router.post(path, readOnly);
  router.put(`${path}/:id`, readOnly);
  router.patch(`${path}/:id`, readOnly);
  router.delete(`${path}/:id`, readOnly);
  return router;
}

/** GET /Roles, /Roles/:id, /Entitlements, /Entitlements/:id. */
export function rolesAndEntitlementsRoutes(catalogue: PermissionCatalogue, roles: RolesService): Router {
  const router = Router({ caseSensitive: false });
  router.use(
    readOnlyResources('/Roles', 'Role', ROLE_SCHEMA, async (req) =>
      roleResources(await roles.assignable(contextOf(req))),
    ),
  );
  router.use(
    readOnlyResources('/Entitlements', 'Entitlement', ENTITLEMENT_SCHEMA, async () => entitlementResources(catalogue)),
  );
  return router;
}

const readOnlyString = (name: string, description: string, required: boolean) => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required,
  caseExact: false,
  mutability: 'readOnly',
  returned: 'default',
  uniqueness: 'none',
});

/** The schemas of these resources (RFC 7643 §7), for /Schemas. */
export function roleAndEntitlementSchemas(): Record<string, unknown>[] {
  const attributes = (what: string) => [
    readOnlyString('displayName', `The ${what}'s name for people`, true),
    readOnlyString('type', `What kind of ${what} this is`, false),
    readOnlyString('description', `What the ${what} allows`, false),
  ];
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: ROLE_SCHEMA,
      name: 'Role',
      description: "A keyscope role; its id is the value of a user's roles that assigns it",
      attributes: attributes('role'),
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: ENTITLEMENT_SCHEMA,
      name: 'Entitlement',
      description: "A keyscope permission; its id is the value of a user's entitlements that assigns it",
      attributes: attributes('permission'),
    },
  ];
}
