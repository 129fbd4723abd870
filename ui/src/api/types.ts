/** The admin API's shapes, as GET /api/v1/openapi.json describes them. */

// The server's own declarations: a change to the key's shape breaks this page's typecheck.
import type { ApiKey } from '../../../src/keys/keys.js';
import type { KeyKind, KeyStatus } from '../../../src/principals/key-status.js';
export type { ApiKey, ApiKeyDetail } from '../../../src/keys/keys.js';
export type { KeyKind, KeyStatus, SuspensionReason } from '../../../src/principals/key-status.js';
export type ExpirationPreset = '7d' | '30d' | '60d' | '90d' | '180d' | '1y' | 'never';

/** Create and rotate answers: the token is in this answer and nowhere else, ever. */
export interface IssuedKey {
  token: string;
  key: ApiKey;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface GrantEntry {
  permission: string;
  resources: string[] | null;
}

export interface Me {
  /** session: a person signed in with their identity provider (the cookie); key: a pasted key. */
  kind?: 'key' | 'session';
  /** Sessions only. */
  user?: { id: string; userName: string; displayName: string | null };
  csrfToken?: string;
  organization: { id: string; name: string };
  key: {
    id: string;
    name: string;
    kind: KeyKind;
    scim: boolean;
    impersonation: boolean;
    status: KeyStatus;
    expiresAt: string | null;
  };
  group: { id: string; name: string } | null;
  owner: { id: string; userName: string } | null;
  permissions: GrantEntry[];
  /** Each built-in permission, decided for this key. */
  can: Record<string, boolean>;
}

export interface Rule {
  permission?: string;
  role?: string;
  resources?: string[];
  /** A condition on the person the key acts for: a SCIM filter over the user's attributes. */
  when?: string;
}

export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  source: 'scim' | 'local';
  description: string;
  memberCount: number;
  parents: { id: string; displayName: string }[];
  rules: Rule[];
  keys: { id: string; name: string; kind: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface GroupDetail extends Group {
  /** Own rules plus those of every group it is nested in. */
  grant: GrantEntry[];
}

export interface GroupMember {
  id: string;
  type: 'User' | 'Group';
  name: string;
  displayName: string | null;
  active: boolean | null;
}

export interface PermissionInfo {
  name: string;
  description: string;
  builtin: boolean;
}

/** GET /api/v1/roles: a built-in role (read-only) or one the organization defined. */
export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
}

export interface Catalogue {
  permissions: PermissionInfo[];
  roles: { name: string; permissions: string[] }[];
}

export interface User {
  id: string;
  userName: string;
  displayName: string | null;
  /** null: unassigned by the identity provider; not active. */
  active: boolean | null;
}

export interface OrgPolicy {
  maxKeys: number;
  allowedExpirations: ExpirationPreset[];
  allowNever: boolean;
  maxScimKeyLifetimeDays: number | null;
  /** Whether people may manage their own personal keys; absent on servers without sign-in. */
  selfServiceKeys?: boolean;
  /** Whether the identity provider's roles and entitlements grant (issue 13). */
  idpRoles: boolean;
}

export interface Organization {
  id: string;
  name: string;
  policy: OrgPolicy;
  createdAt: string;
}

/** GET /api/v1/users/:id */
/** Where one entry of a person's grant comes from (GET /api/v1/users/:id). */
export type GrantSource =
  | {
      type: 'group';
      id: string;
      name: string;
      role?: string;
      via?: { id: string; name: string };
      when?: string;
      holds?: boolean;
    }
  | { type: 'idpRole'; value: string }
  | { type: 'idpEntitlement'; value: string };

export interface SourcedGrantEntry {
  permission: string;
  resources: string[] | null;
  source: GrantSource;
}

export interface IdpAssignment {
  value: string;
  names?: string;
  display?: string;
  known: boolean;
  grants: boolean;
}

export interface UserDetail extends User {
  externalId: string | null;
  groups: { id: string; displayName: string; type: 'direct' | 'indirect' }[];
  idpRoles: boolean;
  roles: IdpAssignment[];
  entitlements: IdpAssignment[];
  grants: SourcedGrantEntry[];
  conditionsNotMet: SourcedGrantEntry[];
  createdAt: string;
  updatedAt: string;
}

/** One entry of GET /api/v1/audit. */
export interface AuditEvent {
  id: string;
  at: string;
  actor: { id: string; name: string };
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

export type SsoAttribute = 'userName' | 'externalId' | 'emails';

/** GET /api/v1/organizations/current/sso: never the client secret itself. */
export interface SsoSettings {
  issuer: string;
  clientId: string;
  claim: string;
  attribute: SsoAttribute;
  hasClientSecret: boolean;
  /** What to register in the identity provider; null while PUBLIC_URL is not set. */
  redirectUri: string | null;
}

export interface PutSsoRequest {
  issuer: string;
  clientId: string;
  /** Left out: keep the stored secret. */
  clientSecret?: string;
  claim?: string;
  attribute?: SsoAttribute;
}

/** An issuer of signals and its public keys: a JWKS URL, or the keys inline. */
export interface SignalKeySource {
  issuer: string;
  jwksUri?: string;
  jwks?: { keys: Record<string, unknown>[] };
}

export type OnSignal = 'suspend_keys' | 'end_sessions';

/** GET/PUT /api/v1/organizations/current/signals. */
export interface SignalSettings {
  transmitters: SignalKeySource[];
  universalLogout: SignalKeySource | null;
  onSignal: OnSignal;
}
