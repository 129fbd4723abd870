/** The admin API's shapes, as GET /api/v1/openapi.json describes them. */

// The server's own declarations: a change to the key's shape breaks this page's typecheck.
import type { ApiKey } from '../../../src/keys/keys.js';
import type { KeyKind, KeyStatus } from '../../../src/principals/key-status.js';
export type { ApiKey } from '../../../src/keys/keys.js';
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
}

export interface Organization {
  id: string;
  name: string;
  policy: OrgPolicy;
}
