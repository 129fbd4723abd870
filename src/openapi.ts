import { z } from 'zod';
import { CreateWebhookBody, EVENT_TYPES, UpdateWebhookBody } from './events/events.js';
import { CreateGroupBody, PutRulesBody, UpdateGroupBody } from './groups/groups.js';
import { CreateRoleBody, UpdateRoleBody } from './groups/roles.js';
import { CreateKeyBody, RestoreAllBody, RevokeAllBody, RotateKeyBody, UpdateKeyBody } from './keys/keys.js';
import { CreateOrgBody, UpdatePolicyBody } from './orgs/orgs.js';
import { PutSsoBody } from './sessions/sessions.js';
import { PutSignalsBody } from './signals/signals.js';
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
    statusReason: {
      enum: ['owner_inactive', 'owner_left_group', 'group_deleted', 'idp_signal', 'idp_logout', null],
      description:
        "Why a suspended key is suspended. idp_signal and idp_logout: an identity provider's Shared Signals event or Universal Logout stopped its owner (stored; lifted by account-enabled or POST /keys/{id}/restore); the others follow from the owner and the groups",
    },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    rotatedFrom: { type: ['string', 'null'] },
  },
};

const KeySource = {
  type: 'object',
  required: ['issuer'],
  properties: {
    issuer: { type: 'string' },
    jwksUri: { type: 'string', format: 'uri' },
    jwks: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } },
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
    when: {
      type: 'string',
      description:
        'A condition on the person the key acts for: a SCIM filter over User attributes, as GET /Users?filter= takes. ' +
        "The rule grants only while it matches that user (a personal key's owner); for a key acting for no person " +
        '(a service key) it grants nothing. Absent: the rule always applies.',
    },
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
const GrantSource = {
  oneOf: [
    {
      type: 'object',
      description: "A rule of one of the user's groups (directly or through nesting); role names the rule's role",
      properties: {
        type: { const: 'group' },
        id: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', description: "A built-in role or one of the organization's (/roles)" },
        via: {
          type: 'object',
          description: 'For a group the user is in through nesting: one of its own groups it is reached through',
          properties: { id: { type: 'string' }, name: { type: 'string' } },
        },
        when: { type: 'string', description: "A conditional rule's condition on the user (a SCIM filter)" },
        holds: { type: 'boolean', description: 'For a conditional rule: whether its condition holds for the user now' },
      },
      required: ['type', 'id', 'name'],
    },
    {
      type: 'object',
      description: "A keyscope role the identity provider assigned in the user's roles (policy idpRoles)",
      properties: { type: { const: 'idpRole' }, value: { type: 'string' } },
      required: ['type', 'value'],
    },
    {
      type: 'object',
      description: "A permission the identity provider assigned in the user's entitlements (policy idpRoles)",
      properties: { type: { const: 'idpEntitlement' }, value: { type: 'string' } },
      required: ['type', 'value'],
    },
  ],
};
const IdpAssignment = {
  type: 'object',
  properties: {
    value: { type: 'string', description: 'As the identity provider sent it' },
    names: {
      type: 'string',
      description: "What the value names when it differs: the inner value of Entra's JSON-string app role assignments",
    },
    display: { type: 'string' },
    type: { type: 'string' },
    primary: { type: 'boolean' },
    known: { type: 'boolean', description: 'A keyscope role (roles) or a permission an organization can hold' },
    grants: { type: 'boolean', description: 'Known, and the organization policy idpRoles is on' },
  },
};
const UserDetail = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userName: { type: 'string' },
    displayName: { type: ['string', 'null'] },
    externalId: { type: ['string', 'null'] },
    active: { type: ['boolean', 'null'], description: 'null: unassigned by the identity provider' },
    groups: {
      type: 'array',
      description: 'Its groups, directly and through nesting',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          displayName: { type: 'string' },
          type: { enum: ['direct', 'indirect'] },
        },
      },
    },
    idpRoles: { type: 'boolean', description: 'The organization policy: whether roles and entitlements grant' },
    roles: { type: 'array', items: IdpAssignment },
    entitlements: { type: 'array', items: IdpAssignment },
    grants: {
      type: 'array',
      description:
        'What a personal key of this user (not narrowed) holds, entry by entry, with where it comes from; empty while the user is not active',
      items: {
        type: 'object',
        properties: {
          permission: { type: 'string' },
          resources: { type: ['array', 'null'], items: { type: 'string' } },
          source: GrantSource,
        },
      },
    },
    conditionsNotMet: {
      type: 'array',
      description:
        "Entries of its groups' conditional rules whose condition does not hold for the user now (not in grants)",
      items: {
        type: 'object',
        properties: {
          permission: { type: 'string' },
          resources: { type: ['array', 'null'], items: { type: 'string' } },
          source: GrantSource,
        },
      },
    },
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
    kind: { type: 'string', enum: ['key', 'session'], description: 'session: a person signed in (the cookie)' },
    user: {
      type: 'object',
      description: 'Sessions only: the person signed in',
      properties: { id: { type: 'string' }, userName: { type: 'string' }, displayName: { type: ['string', 'null'] } },
    },
    csrfToken: {
      type: 'string',
      description: 'Sessions only: send it as X-CSRF-Token on every request other than GET, HEAD and OPTIONS',
    },
    session: {
      type: 'object',
      description: 'Sessions only',
      properties: { id: { type: 'string' }, createdAt: { type: 'string' }, expiresAt: { type: 'string' } },
    },
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
    conditionalRules: {
      type: 'array',
      description:
        'The conditional rules of the groups the key draws on, each with its condition and whether it holds now ' +
        'for the person the key acts for (never for a service key); those that hold are in permissions',
      items: {
        type: 'object',
        properties: {
          permission: { type: 'string' },
          role: { type: 'string' },
          resources: { type: ['array', 'null'], items: { type: 'string' } },
          when: { type: 'string' },
          holds: { type: 'boolean' },
        },
      },
    },
    can: {
      type: 'object',
      additionalProperties: { type: 'boolean' },
      description: 'Each built-in permission, decided for this key',
    },
  },
};
const Webhook = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string' },
    description: { type: 'string' },
    events: { type: 'array', items: { enum: [...EVENT_TYPES] } },
    enabled: { type: 'boolean' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const Delivery = {
  type: 'object',
  description: 'One event for one webhook, and every attempt to send it (docs/signals.md#webhooks)',
  properties: {
    id: { type: 'string' },
    eventId: { type: 'string', description: 'The webhook-id header: the same on every attempt' },
    type: { enum: [...EVENT_TYPES] },
    subject: {
      type: 'string',
      description: 'key:<id>, user:<id> or group:<id>: events of one subject arrive in order',
    },
    status: { enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    payload: {
      type: 'object',
      properties: { type: { type: 'string' }, timestamp: { type: 'string' }, data: { type: 'object' } },
    },
    attemptLog: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          statusCode: { type: ['integer', 'null'] },
          responseExcerpt: { type: ['string', 'null'], description: 'The first 500 characters of the answer' },
          error: { type: ['string', 'null'] },
          durationMs: { type: 'integer' },
        },
      },
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
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A keyscope API key (ksk_…); /me and /authorize also take the JWTs POST /token issues as Bearer, and /introspect reports on them',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'keyscope_session',
          description:
            'A person signed in with their identity provider (GET /auth/login?org=…, outside /api/v1). Named __Host-keyscope_session when PUBLIC_URL is https. Without an Authorization header, every /api/v1 route takes it; a request other than GET, HEAD or OPTIONS must also send X-CSRF-Token (csrfToken of GET /me), else 403 csrf_failed.',
        },
      },
      schemas: {
        SignalSettings: {
          type: 'object',
          properties: {
            transmitters: { type: 'array', items: KeySource },
            universalLogout: { oneOf: [KeySource, { type: 'null' }] },
            onSignal: { enum: ['suspend_keys', 'end_sessions'] },
          },
        },
        SetError: {
          type: 'object',
          properties: {
            err: {
              enum: ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'temporarily_unavailable'],
            },
            description: { type: 'string' },
          },
        },
        ApiKey,
        Webhook,
        Delivery,
        Group,
        Organization,
        UserDetail,
        Me,
        SsoSettings: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean' },
            issuer: { type: 'string' },
            clientId: { type: 'string' },
            hasClientSecret: { type: 'boolean' },
            claim: { type: 'string' },
            attribute: { type: 'string', enum: ['userName', 'externalId', 'emails'] },
            redirectUri: { type: ['string', 'null'], description: 'PUBLIC_URL + /auth/callback' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
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
        Role: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              description: "What group rules ({role}) and the identity provider's `roles` values name",
            },
            description: { type: 'string' },
            permissions: { type: 'array', items: { type: 'string' } },
            builtin: { type: 'boolean', description: 'admin, key-manager, developer, viewer: read-only' },
            createdAt: { type: ['string', 'null'], format: 'date-time' },
            createdBy: { type: ['string', 'null'] },
            updatedAt: { type: ['string', 'null'], format: 'date-time' },
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
      '/keys/restore': {
        post: {
          summary:
            "Lift the suspensions identity providers' signals put on a person's keys (org:admin, audited key.restore each)",
          description:
            'Only suspensions a signal stored (idp_signal, idp_logout) are lifted: a revoked or expired key stays so, and a suspension computed from the owner or the groups stays.',
          requestBody: body(RestoreAllBody),
          responses: {
            '200': json('Restored key ids', {
              type: 'object',
              properties: { restored: { type: 'array', items: { type: 'string' } } },
            }),
            ...errors,
          },
        },
      },
      '/keys/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'Read a key, with the key that replaces it once rotated',
          responses: {
            '200': json('The key', {
              allOf: [
                ref('ApiKey'),
                {
                  type: 'object',
                  properties: {
                    replacedBy: {
                      type: ['object', 'null'],
                      description: 'The key issued by rotating this one (null until it is rotated)',
                      properties: { id: { type: 'string' }, name: { type: 'string' } },
                    },
                  },
                },
              ],
            }),
            '404': problem('Unknown key'),
            ...errors,
          },
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
      '/keys/{id}/restore': {
        parameters: [idParam()],
        post: {
          summary: "Lift the suspension an identity provider's signal put on a key (org:admin, audited key.restore)",
          description:
            'Only idp_signal and idp_logout suspensions are lifted; a key without one is answered as it is (a revoked key stays revoked, owner_inactive stays).',
          responses: { '200': json('The key', ref('ApiKey')), ...errors },
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
          responses: {
            '200': json(
              'A page of users, in userName order',
              page({
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  userName: { type: 'string' },
                  displayName: { type: ['string', 'null'] },
                  externalId: { type: ['string', 'null'] },
                  active: { type: ['boolean', 'null'], description: 'null: unassigned by the identity provider' },
                  groups: {
                    type: 'array',
                    description: 'The groups the user is directly in',
                    items: { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' } } },
                  },
                },
              }),
            ),
            ...errors,
          },
        },
      },
      '/users/{id}': {
        parameters: [idParam()],
        get: {
          summary:
            'A provisioned user (users:read): its groups (direct and nested), the roles and entitlements its identity provider assigned, and where each grant comes from (group rule, IdP role, IdP entitlement)',
          responses: { '200': json('The user', ref('UserDetail')), '404': problem('No such user'), ...errors },
        },
      },
      '/roles': {
        get: {
          summary:
            "Every role rules may name: the built-in ones (read-only), then the organization's own (groups:read)",
          responses: { '200': json('The roles', page(ref('Role'))), ...errors },
        },
        post: {
          summary:
            'Define a role: a name and permissions from the catalogue (org:admin; never more than the caller holds; no platform permission; audited role.create)',
          requestBody: body(CreateRoleBody),
          responses: {
            '201': json('The role', ref('Role')),
            '409': problem('A role of this name exists (code role_exists)'),
            ...errors,
          },
        },
      },
      '/roles/{name}': {
        parameters: [idParam('name')],
        get: {
          summary: "One role, built-in or the organization's (groups:read)",
          responses: { '200': json('The role', ref('Role')), '404': problem('No such role'), ...errors },
        },
        patch: {
          summary:
            "Change a role's description or permissions (org:admin, audited role.update); every key and session holding it sees the change at its next request, on every process",
          requestBody: body(UpdateRoleBody),
          responses: {
            '200': json('The role', ref('Role')),
            '404': problem('No such role'),
            ...errors,
            '400': problem('Invalid input, or a built-in role (code role_builtin)'),
          },
        },
        delete: {
          summary:
            'Delete a role (org:admin, audited role.delete); refused while a group rule names it. Identity provider assignments of it are kept and grant nothing',
          responses: {
            '204': { description: 'Deleted' },
            '404': problem('No such role'),
            '409': problem('Group rules name the role (code role_in_use; the detail names the groups)'),
            ...errors,
            '400': problem('A built-in role (code role_builtin)'),
          },
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
      '/organizations/current/sso': {
        get: {
          summary: "The organization's sign-in settings (org:admin); never the client secret",
          responses: {
            '200': json('The settings, and the redirect URI to register at the identity provider', ref('SsoSettings')),
            '404': problem('Sign-in is not configured'),
            ...errors,
          },
        },
        put: {
          summary: 'Set up sign-in with an OpenID Connect provider (org:admin)',
          description:
            "The issuer's discovery document is read with these settings before they are saved (400 sso_discovery_failed when it cannot be). `claim` (default preferred_username) is the ID token claim compared, case-insensitively, with `attribute` (userName, externalId or emails) of an active provisioned user. clientSecret may be left out to keep the stored one. The secret is sealed under SIGNING_KEY_SECRET when set, and never returned, logged or audited. http:// issuers only on 127.0.0.1, ::1 or localhost.",
          requestBody: body(PutSsoBody),
          responses: { '200': json('The settings', ref('SsoSettings')), ...errors },
        },
        delete: {
          summary: 'Turn sign-in off (org:admin); existing sessions run until they end',
          responses: {
            '204': { description: 'Sign-in is off' },
            '404': problem('Sign-in was not configured'),
            ...errors,
          },
        },
      },
      '/organizations/current/signals': {
        get: {
          summary:
            "The organization's signal settings: Shared Signals transmitters, Universal Logout, onSignal (org:admin)",
          responses: { '200': json('The settings', ref('SignalSettings')), ...errors },
        },
        put: {
          summary: 'Set who may send signals and what they do (org:admin, audited signals.update)',
          description:
            'Each issuer comes with its public keys: jwksUri (read once now, 400 when it cannot be; then fetched and cached, 5 s timeout) or jwks inline. Keys holding private material (d, k…) are refused. https:// only (http:// on 127.0.0.1, ::1 or localhost). A Universal Logout issuer serves one organization (409 uniqueness otherwise). onSignal suspend_keys (default) ends sessions and suspends personal keys; end_sessions ends sessions only.',
          requestBody: body(PutSignalsBody),
          responses: { '200': json('The settings', ref('SignalSettings')), ...errors },
        },
      },
      '/global-token-revocation': {
        post: {
          summary: "Okta Universal Logout (Global Token Revocation): stop a person's sessions and personal keys",
          description:
            "Authenticated by the identity provider, not by a key: Authorization: Bearer <JWT> signed (RS/PS/ES/EdDSA; never none or HS*) by the keys of the organization whose universalLogout.issuer is the token's iss, with aud PUBLIC_URL or PUBLIC_URL + /api/v1/global-token-revocation, and jti, iat, exp. The body names the person by an RFC 9493 subject identifier: email (their emails, else userName) or iss_sub (sub = their externalId). The person's sessions end and, under onSignal suspend_keys, their personal keys are suspended (idp_logout). The same jti twice has one effect. Every request that reaches an organization is audited (signal.received).",
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['sub_id'],
                  properties: {
                    sub_id: {
                      type: 'object',
                      description: '{"format":"email","email":…} or {"format":"iss_sub","iss":…,"sub":…}',
                      properties: {
                        format: { enum: ['email', 'iss_sub'] },
                        email: { type: 'string' },
                        iss: { type: 'string' },
                        sub: { type: 'string' },
                      },
                    },
                  },
                },
              },
            },
          },
          responses: {
            '204': { description: 'Done: sessions ended and (under suspend_keys) personal keys suspended' },
            '400': problem('The body is not a JSON object with sub_id'),
            '401': problem('Missing, malformed, unsigned, wrongly signed, expired or wrongly addressed token'),
            '403': problem("No organization receives Universal Logout from the token's issuer"),
            '404': problem('The subject matches no provisioned user (or more than one)'),
            '422': problem('Unsupported subject format'),
            '503': problem("The issuer's JWKS could not be fetched; retry"),
          },
        },
      },
      '/ssf/events/{orgId}': {
        servers: [{ url: '/' }],
        parameters: [idParam('orgId')],
        post: {
          summary: 'Shared Signals push delivery (RFC 8935): one Security Event Token (RFC 8417)',
          description:
            'Outside /api/v1; authenticated by the SET itself: signed (never none or HS*) by a transmitter configured for the organization (its issuer and keys), aud PUBLIC_URL or PUBLIC_URL + /ssf/events/<orgId>, with jti and iat, typ secevent+jwt when given, and exactly one event. CAEP session-revoked and credential-change, RISC account-disabled and account-purged end the person’s sessions and (under onSignal suspend_keys) suspend their personal keys (idp_signal); RISC account-enabled restores exactly the keys signals suspended; the SSF verification event has no effect. Subject (sub_id, or the event’s subject): email, iss_sub (sub = externalId), opaque (id = the user id or externalId), complex (its user). The same jti from the same issuer twice has one effect. Every SET that reaches an existing organization is audited (signal.received).',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/secevent+jwt': {
                schema: { type: 'string', description: 'The SET (a JWS compact serialization)' },
              },
            },
          },
          responses: {
            '202': { description: 'Accepted' },
            '400': json('RFC 8935 §2.3 error', ref('SetError')),
            '503': json("The transmitter's JWKS could not be fetched; retry (Retry-After)", ref('SetError')),
          },
        },
      },
      '/organizations/current': {
        get: {
          summary: "The caller's organization and its policy (keys, idpRoles)",
          responses: { '200': json('The organization', ref('Organization')), ...errors },
        },
        patch: {
          summary: 'Change the policy: keys, and idpRoles (whether the identity provider grants) (org:admin, audited)',
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
          summary: 'Who this key (or signed-in person) is and what it may do',
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
      '/webhooks': {
        get: {
          summary: "The organization's webhooks (org:admin)",
          responses: {
            '200': json('The webhooks', {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Webhook') } },
            }),
            ...errors,
          },
        },
        post: {
          summary: 'A new webhook (org:admin, audited): its signing secret is shown once',
          description:
            'Standard Webhooks: each request carries webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 with the secret). The URL must be http(s) and, unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true, must not resolve to a private, loopback, link-local or metadata address. Unknown event names are refused with 400 naming them.',
          requestBody: body(CreateWebhookBody),
          responses: {
            '201': json('The secret (whsec_…, shown once; Cache-Control: no-store) and the webhook', {
              type: 'object',
              properties: { secret: { type: 'string' }, webhook: ref('Webhook') },
            }),
            ...errors,
          },
        },
      },
      '/webhooks/{id}': {
        parameters: [idParam()],
        get: {
          summary: 'Read a webhook (org:admin; never its secret)',
          responses: { '200': json('The webhook', ref('Webhook')), '404': problem('No such webhook'), ...errors },
        },
        patch: {
          summary: "Change a webhook's URL, description, events or enabled (org:admin, audited)",
          requestBody: body(UpdateWebhookBody),
          responses: { '200': json('The webhook', ref('Webhook')), '404': problem('No such webhook'), ...errors },
        },
        delete: {
          summary: 'Delete a webhook and its pending deliveries (org:admin, audited)',
          responses: { '204': { description: 'Deleted' }, '404': problem('No such webhook'), ...errors },
        },
      },
      '/webhooks/{id}/deliveries': {
        parameters: [idParam()],
        get: {
          summary: "A webhook's deliveries, newest first, with every attempt and answer (org:admin)",
          parameters: [
            query('status', { enum: ['pending', 'delivered', 'failed'] }),
            query('cursor', { type: 'string' }),
            query('limit', { type: 'integer', minimum: 1, maximum: 200 }),
          ],
          responses: {
            '200': json('A page of deliveries', page(ref('Delivery'))),
            '404': problem('No such webhook'),
            ...errors,
          },
        },
      },
      '/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
        parameters: [idParam(), idParam('deliveryId')],
        post: {
          summary: 'Send a delivery again, now, with the same webhook-id (org:admin, audited)',
          responses: {
            '202': json('Queued', { type: 'object', properties: { queued: { type: 'boolean' } } }),
            '404': problem('No such webhook or delivery'),
            ...errors,
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
