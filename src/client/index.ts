/**
 * keyscope for services: `import { keyscopeAuth, KeyscopeClient } from 'keyscope/client'`.
 * HTTP only: nothing here imports the server (docs/services.md).
 */
export type {
  ApiKey,
  ApiKeyDetail,
  AuditEvent,
  AuditQuery,
  Group,
  GroupMember,
  GroupRule,
  IssuedKey,
  KeyQuery,
  Organization,
  OrgPolicy,
  Page,
  PermissionCatalogue,
  Role,
  User,
  UserSummary,
} from './admin-types.js';
export { DecisionCache, MAX_DECISION_TTL_MS, type DecisionCacheOptions } from './decision-cache.js';
export {
  DEFAULT_CACHE_MS,
  keyscopeAuth,
  type KeyscopeAuthHandler,
  type KeyscopeAuthOptions,
  type KeyscopeDecision,
} from './keyscope-auth.js';
export {
  type AuthorizeDecision,
  type AuthorizeOptions,
  type ClientFailureCode,
  type FieldError,
  type GrantEntry,
  type Introspection,
  KeyscopeClient,
  type KeyscopeClientOptions,
  KeyscopeError,
  type Me,
  type RequestOptions,
} from './keyscope-client.js';
