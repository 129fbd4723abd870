import { z } from 'zod';
import { CreateGroupBody, PutRulesBody, UpdateGroupBody } from './groups/groups.js';
import { CreateKeyBody, RevokeAllBody, RotateKeyBody, UpdateKeyBody } from './keys/keys.js';
import { CreateOrgBody, UpdatePolicyBody } from './orgs/orgs.js';
import { TokenRequestBody } from './tokens/tokens.js';

/**
 * The admin and access API as OpenAPI 3.1, served at /api/v1/openapi.json. Request bodies come
 * from the same zod schemas the routes validate with; a test fails when a route is missing here.
 */
type Json = Record<string, unknown>;

const body = (schema: z.ZodType): Json => ({
  required: true,
  content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, schema: Json): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const errors = {
  '400': problem('Invalid input: `errors` names each field'),
  '401': problem('Missing, malformed, unknown, revoked, expired or suspended key (`code` says which)'),
  '403': problem('The key lacks a permission'),
};
const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const query = (name: string, schema: Json, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description ? { description } : {}),
});

const ApiKey = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    kind: { enum: ['service', 'personal'] },
    groupId: { type: ['string', 'null'] },
    groupName: { type: ['string', 'null'] },
    ownerUserId: { type: ['string', 'null'] },
    ownerUserName: { type: ['string', 'null'] },
    scim: { type: 'boolean' },
    impersonation: {
      type: 'boolean',
      description:
        'An impersonation key may exchange itself for tokens of other users (POST /token, requested_subject); fixed at creation, only org:admin or keys:impersonate may set it',
    },
    permissions: { type: ['array', 'null'], items: { type: 'string' } },
    fragment: { type: 'string', description: 'ksk_<id>…<last 4>: recognisable, useless to an attacker' },
    status: { enum: ['active', 'expiring_soon', 'expired', 'revoked', 'suspended'] },
    statusReason: { enum: ['owner_inactive', 'owner_left_group', 'group_deleted', null] },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    rotatedFrom: { type: ['string', 'null'] },
  },
};

const Grant = {
  type: 'array',
  items: {
    type: 'object',
    properties: { permission: { type: 'string' }, resources: { type: ['array', 'null'], items: { type: 'string' } } },
  },
};
const Rule = {
  type: 'object',
  properties: {
    permission: { type: 'string' },
    role: { type: 'string' },
    resources: { type: 'array', items: { type: 'string' } },
  },
};
const Group = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    displayName: { type: 'string' },
    externalId: { type: ['string', 'null'] },
    source: { enum: ['scim', 'local'] },
    description: { type: 'string' },
    memberCount: { type: 'integer' },
    parents: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' } } },
    },
    rules: { type: 'array', items: Rule },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' } },
      },
    },
    grant: Grant,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const Organization = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    policy: z.toJSONSchema(UpdatePolicyBody, { io: 'input' }),
    createdAt: { type: 'string' },
  },
};
const Me = {
  type: 'object',
  properties: {
    organization: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    key: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        kind: { type: 'string' },
        scim: { type: 'boolean' },
        impersonation: { type: 'boolean' },
        status: { type: 'string' },
        expiresAt: { type: ['string', 'null'] },
      },
    },
    group: { type: ['object', 'null'] },
    owner: {
      type: ['object', 'null'],
      description: "A personal key's owner, or the user an impersonation token acts for",
    },
    token: {
      type: 'object',
      description: 'Only when the caller presented a keyscope token (POST /token) instead of a key: its claims',
      properties: {
        iss: { type: 'string' },
        sub: { type: 'string' },
        aud: { type: ['string', 'array'] },
        iat: { type: 'integer' },
        exp: { type: 'integer' },
        jti: { type: 'string' },
        scope: { type: 'string' },
        act: { type: 'object', properties: { sub: { type: 'string' } } },
      },
    },
    permissions: Grant,
    can: {
      type: 'object',
      additionalProperties: { type: 'boolean' },
      description: 'Each built-in permission, decided for this key',
    },
  },
};
const page = (item: Json) => ({
  type: 'object',
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});
const issued = {
  type: 'object',
  properties: { token: { type: 'string', description: 'Shown once; store it now' }, key: ref('ApiKey') },
};

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'keyscope admin and access API',
      version: '1',
      description:
        'API keys scoped to groups whose rules the identity provider and admins change live. SCIM 2.0 lives at /scim/v2 (RFC 7643/7644) and is not described here.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A keyscope API key (ksk_…); /me and /authorize also take the JWTs POST /token issues as Bearer, and /introspect reports on them',
        },
      },
      schemas: {
        ApiKey,
        Group,
        Organization,
        Me,
        ScimSchemaDocument: {
          type: 'object',
          description:
            'RFC 7643 §7. Refused with 400: required true, uniqueness other than none, mutability readOnly or immutable, type binary, complex sub-attributes, a built-in URN',
          required: ['id', 'attributes'],
          properties: {
            id: { type: 'string', description: 'The URN, e.g. urn:ietf:params:scim:schemas:extension:acme:2.0:User' },
            name: { type: 'string' },
            description: { type: 'string' },
            attributes: {
              type: 'array',
              maxItems: 100,
              items: {
                type: 'object',
                required: ['name', 'type'],
                properties: {
                  name: { type: 'string' },
                  type: { enum: ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference', 'complex'] },
                  multiValued: { type: 'boolean' },
                  required: { const: false },
                  caseExact: { type: 'boolean' },
                  mutability: { enum: ['readWrite', 'writeOnly'] },
                  returned: { enum: ['always', 'default', 'request', 'never'] },
                  uniqueness: { const: 'none' },
                  canonicalValues: { type: 'array', items: { type: 'string' } },
                  referenceTypes: { type: 'array', items: { type: 'string' } },
                  subAttributes: { type: 'array', items: { type: 'object' } },
                },
              },
            },
          },
        },
        ScimSchema: {
          type: 'object',
          properties: {
            schema: { $ref: '#/components/schemas/ScimSchemaDocument' },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: ['string', 'null'] },
          },
        },
        TokenResponse: {
          type: 'object',
          properties: {
            access_token: { type: 'string' },
            issued_token_type: { const: 'urn:ietf:params:oauth:token-type:jwt' },
            token_type: { const: 'Bearer' },
            expires_in: { type: 'integer' },
            scope: { type: 'string' },
          },
        },
        OAuthError: {
          type: 'object',
          properties: { error: { type: 'string' }, error_description: { type: 'string' } },
        },
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
    paths: {
      '/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': json('OpenAPI 3.1', { type: 'object' }) } },
      },
      '/keys': {
        post: {
          summary: 'Create a key (token shown once)',
          requestBody: body(CreateKeyBody),
          responses: { '201': json('The key and its token', issued), '409': problem('Key limit reached'), ...errors },
        },
        get: {
          summary: 'List keys',
          parameters: [
            query('status', { enum: ['active', 'expiring_soon', 'expired', 'revoked', 'suspended'] }),
            query('q', { type: 'string' }, 'Search name, description and fragment'),
            query('owner', { enum: ['me', 'all'] }, '`all` needs keys:manage'),
            query('groupId', { type: 'string' }),
            query('ownerUserId', { type: 'string' }),
            query('cursor', { type: 'string' }),
            query('limit', { type: 'integer', minimum: 1, maximum: 100 }),
          ],
          responses: { '200': json('A page of keys', page(ref('ApiKey'))), ...errors },
        },
      },
      '/keys/revoke': {
        post: {
          summary: 'Revoke every key of a group or of a user',
          requestBody: body(RevokeAllBody),
          responses: {
            '200': json('Revoked key ids', {
              type: 'object',
              properties: { revoked: { type: 'array', items: { type: 'string' } } },
            }),
            ...errors,
          },
        },
      },
      '/keys/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'Read a key',
          responses: { '200': json('The key', ref('ApiKey')), '404': problem('Unknown key'), ...errors },
        },
        patch: {
          summary: 'Edit name and description, or move a service key to another group',
          requestBody: body(UpdateKeyBody),
          responses: {
            '200': json('The key', ref('ApiKey')),
            '404': problem('Unknown key'),
            '409': problem('Revoked or expired'),
            ...errors,
          },
        },
        delete: {
          summary: 'Revoke a key (immediate)',
          responses: { '200': json('The revoked key', ref('ApiKey')), '404': problem('Unknown key'), ...errors },
        },
      },
      '/keys/{id}/rotate': {
        parameters: [idParam()],
        post: {
          summary: 'Issue a new key with the same settings; revoke the old one now or after a grace period',
          requestBody: body(RotateKeyBody),
          responses: {
            '201': json('The new key and its token', issued),
            '409': problem(
              '`key_inactive`: revoked, or expired (only org:admin rotates an expired key); `rotation_pending`: already being replaced',
            ),
            ...errors,
            '403': problem(
              'The key lacks a permission; `rotation_extends_life` when, without org:admin, the new key would outlive the old one',
            ),
          },
        },
      },
      '/groups': {
        get: {
          summary: 'List groups with rules, parents, member counts and keys',
          parameters: [
            query('q', { type: 'string' }),
            query('source', { enum: ['scim', 'local'] }),
            query('cursor', { type: 'string' }),
            query('limit', { type: 'integer' }),
          ],
          responses: { '200': json('A page of groups', page(ref('Group'))), ...errors },
        },
        post: {
          summary: 'Create a local group',
          requestBody: body(CreateGroupBody),
          responses: { '201': json('The group', ref('Group')), '409': problem('Name taken'), ...errors },
        },
      },
      '/groups/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'A group, with what it grants (own and inherited rules)',
          responses: { '200': json('The group', ref('Group')), '404': problem('Unknown group'), ...errors },
        },
        patch: {
          summary: 'Rename or describe a local group',
          requestBody: body(UpdateGroupBody),
          responses: {
            '200': json('The group', ref('Group')),
            '409': problem('Synced by the identity provider'),
            ...errors,
          },
        },
        delete: {
          summary: 'Delete a local group (its keys become suspended)',
          responses: {
            '204': { description: 'Deleted' },
            '409': problem('Synced by the identity provider'),
            ...errors,
          },
        },
      },
      '/groups/{id}/members': {
        parameters: [idParam()],
        get: {
          summary: "A page of the group's members",
          parameters: [query('cursor', { type: 'string' }), query('limit', { type: 'integer' })],
          responses: { '200': json('Members', page({ type: 'object' })), ...errors },
        },
      },
      '/groups/{id}/rules': {
        parameters: [idParam()],
        put: {
          summary: "Replace the group's rules; every key on it picks them up at once",
          requestBody: body(PutRulesBody),
          responses: { '200': json('The group', ref('Group')), ...errors },
        },
      },
      '/users': {
        get: {
          summary: 'Provisioned users (read-only)',
          parameters: [
            query('q', { type: 'string' }),
            query('cursor', { type: 'string' }),
            query('limit', { type: 'integer' }),
          ],
          responses: { '200': json('A page of users', page({ type: 'object' })), ...errors },
        },
      },
      '/users/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'One provisioned user and its groups (direct and nested)',
          responses: { '200': json('The user', { type: 'object' }), ...errors },
        },
      },
      '/scim-schemas': {
        get: {
          summary: "The organization's registered SCIM extension schemas (org:admin)",
          responses: { '200': json('The schemas', page(ref('ScimSchema'))), ...errors },
        },
        post: {
          summary:
            'Register an extension schema of Users: an RFC 7643 §7 schema document (org:admin, audited); its attributes are then stored, returned, filtered, sorted and patched over SCIM',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('ScimSchemaDocument') } },
          },
          responses: {
            '201': json('The registered schema, every characteristic spelled out', ref('ScimSchema')),
            '409': problem('This URN is registered already (code schema_registered)'),
            ...errors,
          },
        },
      },
      '/scim-schemas/{urn}': {
        parameters: [idParam('urn')],
        get: {
          summary: 'One registered extension schema, by URN (case-insensitive)',
          responses: { '200': json('The schema', ref('ScimSchema')), '404': problem('Not registered'), ...errors },
        },
        delete: {
          summary:
            "Remove the extension: it leaves /Schemas and /ResourceTypes, and its values are deleted from every user of the organization (each such user's version moves on); audited",
          responses: {
            '200': json('How many users held values', {
              type: 'object',
              properties: { usersChanged: { type: 'integer' } },
            }),
            '404': problem('Not registered'),
            ...errors,
          },
        },
      },
      '/organizations': {
        post: {
          summary: 'Create an organization and its first admin key (orgs:create)',
          requestBody: body(CreateOrgBody),
          responses: {
            '201': json('The organization, its admin key and token', {
              type: 'object',
              properties: { organization: ref('Organization'), token: { type: 'string' }, key: ref('ApiKey') },
            }),
            '409': problem('Name taken'),
            ...errors,
          },
        },
      },
      '/organizations/current': {
        get: {
          summary: "The caller's organization and its key policy",
          responses: { '200': json('The organization', ref('Organization')), ...errors },
        },
        patch: {
          summary: 'Change the key policy (org:admin)',
          requestBody: body(UpdatePolicyBody),
          responses: { '200': json('The organization', ref('Organization')), ...errors },
        },
      },
      '/audit': {
        get: {
          summary: 'The audit log, newest first (audit:read)',
          parameters: [
            query('action', { type: 'string' }, 'e.g. key.revoke, or key.* for a family'),
            query('actor', { type: 'string' }),
            query('target', { type: 'string' }),
            query('since', { type: 'string', format: 'date-time' }),
            query('until', { type: 'string', format: 'date-time' }),
            query('cursor', { type: 'string' }),
            query('limit', { type: 'integer' }),
          ],
          responses: { '200': json('A page of events', page({ type: 'object' })), ...errors },
        },
      },
      '/permissions': {
        get: {
          summary: 'Known permissions and roles',
          responses: { '200': json('Permissions and roles', { type: 'object' }), ...errors },
        },
      },
      '/me': {
        get: {
          summary: 'Who this key is and what it may do',
          responses: { '200': json('The caller', ref('Me')), ...errors },
        },
      },
      '/authorize': {
        post: {
          summary: 'May this key do something? A denial is a 200 with allowed false, never a 403',
          description:
            'A permission that matches nothing this deployment knows (built-in or KEYSCOPE_PERMISSIONS) is not a denial: it answers 400 with `code` `unknown_permission` and `errors: [{field: "permission"}]`, so a typo never reads as a plain "no".',
          requestBody: body(z.object({ permission: z.string(), resource: z.string().optional() })),
          responses: {
            '200': json('The decision', {
              type: 'object',
              properties: { allowed: { type: 'boolean' }, reason: { type: 'string' } },
            }),
            ...errors,
            '400': problem(
              'Invalid input; `code` `unknown_permission` when the permission matches nothing this deployment knows (a typo, or missing from KEYSCOPE_PERMISSIONS)',
            ),
          },
        },
      },
      '/token': {
        post: {
          summary:
            'RFC 8693 token exchange: this key (Bearer, and again as subject_token) for a short-lived ES256 JWT (at most 900 s)',
          description:
            'Form-encoded (application/x-www-form-urlencoded) as RFC 8693 says, or JSON. requested_subject (a user id or userName) needs an impersonation key; the token never grants more than the key and that user both hold. Errors are RFC 6749 §5.2 JSON, not problem details. Verify the token offline against /.well-known/jwks.json (issuer and metadata at /.well-known/oauth-authorization-server).',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: z.toJSONSchema(TokenRequestBody, { io: 'input', unrepresentable: 'any' }),
              },
              'application/json': { schema: z.toJSONSchema(TokenRequestBody, { io: 'input', unrepresentable: 'any' }) },
            },
          },
          responses: {
            '200': json('RFC 8693 §2.2.1 (Cache-Control: no-store)', ref('TokenResponse')),
            '400': json(
              'invalid_request, unsupported_grant_type, unauthorized_client, invalid_scope or invalid_target',
              ref('OAuthError'),
            ),
            '401': json(
              'invalid_client: no key, or a key that is unknown, revoked, expired or suspended',
              ref('OAuthError'),
            ),
          },
        },
      },
      '/signing-keys/rotate': {
        post: {
          summary: 'A new token signing key now (orgs:create); the old one stays in the JWKS for 15 minutes',
          responses: {
            '200': json('The new key id and the retired one', {
              type: 'object',
              properties: { kid: { type: 'string' }, retired: { type: ['string', 'null'] } },
            }),
            ...errors,
          },
        },
      },
      '/introspect': {
        post: {
          summary: 'RFC 7662 introspection of another token (keys:introspect)',
          requestBody: body(z.object({ token: z.string(), token_type_hint: z.string().optional() })),
          responses: {
            '200': json(
              '{active:false} for unknown, revoked, expired or foreign tokens; RFC 7662 fields and keyscope details otherwise',
              {
                type: 'object',
                properties: {
                  active: { type: 'boolean' },
                  scope: { type: 'string' },
                  client_id: { type: 'string' },
                  sub: { type: 'string' },
                  exp: { type: 'integer' },
                  iat: { type: 'integer' },
                  iss: { type: 'string', description: 'keyscope tokens only' },
                  aud: { type: ['string', 'array'], description: 'keyscope tokens only' },
                  jti: { type: 'string', description: 'keyscope tokens only' },
                  act: {
                    type: 'object',
                    properties: { sub: { type: 'string' } },
                    description: 'Impersonation tokens: the key acting for the user (RFC 8693 §4.1)',
                  },
                },
              },
            ),
            ...errors,
          },
        },
      },
    },
  };
}
