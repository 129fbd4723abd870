import { Router, type Request } from 'express';
import { notFound } from '../http/http-error.js';
import { DEFAULT_COUNT, MAX_COUNT } from './list-params.js';
import {
  describeSchema,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  USER_SCHEMA,
  scimmy,
} from '../schema/scimmy.js';
import { ENTITLEMENT_SCHEMA, ROLE_SCHEMA, roleAndEntitlementSchemas } from './roles-entitlements-routes.js';
import { scimBaseUrl, sendScim } from './scim-http.js';
import { contextOf } from '../http/authenticate.js';
import type { ScimSchemasService } from '../users/scim-schemas-service.js';
import type { ExtensionSchema } from '../schema/extension-schema.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/**
 * RFC 7644 §4: what this service provider supports, its resource types and their schemas, with the
 * extensions the calling key's organization registered (optional extensions of User).
 */
export function discoveryRoutes(scimSchemas: ScimSchemasService): Router {
  const router = Router({ caseSensitive: false });
  const registeredOf = (req: Request) => scimSchemas.registered(contextOf(req).orgId);

  router.get('/ServiceProviderConfig', (req, res) => {
    sendScim(res, 200, serviceProviderConfig(req));
  });

  router.get('/ResourceTypes', async (req, res) => {
    const types = resourceTypes(req, await registeredOf(req));
    sendScim(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: types.length,
      itemsPerPage: types.length,
      startIndex: 1,
      Resources: types,
    });
  });

  router.get('/ResourceTypes/:id', async (req, res) => {
    const type = resourceTypes(req, await registeredOf(req)).find(
      (t) => t.id.toLowerCase() === String(req.params.id).toLowerCase(),
    );
    if (!type) throw notFound(`Resource type ${String(req.params.id)} not found`);
    sendScim(res, 200, type);
  });

  router.get('/Schemas', async (req, res) => {
    const all = schemas(req, await registeredOf(req));
    sendScim(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: all.length,
      itemsPerPage: all.length,
      startIndex: 1,
      Resources: all,
    });
  });

  router.get('/Schemas/:id', async (req, res) => {
    const schema = schemas(req, await registeredOf(req)).find(
      (s) => String(s.id).toLowerCase() === String(req.params.id).toLowerCase(),
    );
    if (!schema) throw notFound(`Schema ${String(req.params.id)} not found`);
    sendScim(res, 200, schema);
  });

  return router;
}

function serviceProviderConfig(req: Request) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: DEFAULT_COUNT,
      maxPageSize: MAX_COUNT,
      cursorTimeout: 0,
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'keyscope API key',
        description: 'Authorization: Bearer <a keyscope API key with the SCIM flag>',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${scimBaseUrl(req)}/ServiceProviderConfig` },
  };
}

// User first: Microsoft's collection expects Resources[0].endpoint to be "/Users".
function resourceTypes(req: Request, registered: readonly ExtensionSchema[]) {
  const base = scimBaseUrl(req);
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        ...registered.map((r) => ({ schema: r.id, required: false })),
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
    // Okta's entitlement discovery reads every resource type whose schema is its Role or Entitlement URN.
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Role',
      name: 'Role',
      endpoint: '/Roles',
      description: "keyscope's roles (read-only): assign one through a user's roles",
      schema: ROLE_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Role` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Entitlement',
      name: 'Entitlement',
      endpoint: '/Entitlements',
      description: "keyscope's permissions (read-only): assign one through a user's entitlements",
      schema: ENTITLEMENT_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Entitlement` },
    },
  ];
}

function schemas(req: Request, registered: readonly ExtensionSchema[]): Record<string, unknown>[] {
  const S = scimmy();
  const base = scimBaseUrl(req);
  const meta = (id: string) => ({ resourceType: 'Schema', location: `${base}/Schemas/${id}` });
  const builtIn = [
    ...[S.Schemas.User, S.Schemas.Group, S.Schemas.EnterpriseUser].map((schema) => describeSchema(schema.definition)),
    ...roleAndEntitlementSchemas(),
  ].map((description) => ({ ...description, meta: meta(String(description.id)) }));
  // RFC 7643 §7: a registered extension as its document (every characteristic spelled out).
  const own = registered.map((r) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    ...r.document,
    meta: meta(r.id),
  }));
  return [...builtIn, ...own];
}
