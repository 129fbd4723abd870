/**
 * What the admin API (`/api/v1`) answers, as the client reads it. The client imports nothing of the
 * server: test/client/keyscope-client-is-a-package-export.test.ts holds these to the server's types.
 */

/** A page of a list; `nextCursor` fetches the next one, null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A key as the admin API shows it. Never holds a token. */
export interface ApiKey {
  id: string;
  name: string;
  description: string;
  kind: 'service' | 'personal';
  groupId: string | null;
  groupName: string | null;
  ownerUserId: string | null;
  ownerUserName: string | null;
  scim: boolean;
  impersonation: boolean;
  permissions: string[] | null;
  fragment: string;
  status: string;
  statusReason: string | null;
  expiresAt: string | null;
  createdAt: string;
  createdBy: { id: string; name: string };
  lastUsedAt: string | null;
  /** In the future for a key being replaced by a rotation with a grace period: when it stops working. */
  revokedAt: string | null;
  /** The key this one replaced (its rotation made this one). */
  rotatedFrom: string | null;
}

/** `GET /keys/:id`: a key and, when a rotation replaced it, the key that replaces it. */
export interface ApiKeyDetail extends ApiKey {
  replacedBy: { id: string; name: string } | null;
}

/** `POST /keys`, `POST /keys/:id/rotate`: the token is shown this once. */
export interface IssuedKey {
  token: string;
  key: ApiKey;
}

/** `GET /keys` filters. */
export interface KeyQuery {
  status?: string;
  q?: string;
  owner?: 'me' | 'all';
  groupId?: string;
  ownerUserId?: string;
  cursor?: string;
  limit?: number;
}

/** A provisioned user, as `GET /users` lists it. */
export interface UserSummary {
  id: string;
  userName: string;
  displayName: string | null;
  externalId: string | null;
  active: boolean | null;
}

/** `GET /users/:id`: a user and its groups, direct and through nesting. */
export interface User extends UserSummary {
  groups: { id: string; displayName: string; type: 'direct' | 'indirect' }[];
  createdAt: string;
  updatedAt: string;
}

/** A group's rule: a permission or a role, optionally narrowed to named resources. */
export interface GroupRule {
  permission?: string;
  role?: string;
  resources?: string[];
  /** A condition on the person the key acts for: a SCIM filter over the user's attributes (issue 13). */
  when?: string;
}

/** A group as the admin API shows it. */
export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  source: 'scim' | 'local';
  description: string;
  memberCount: number;
  parents: { id: string; displayName: string }[];
  rules: GroupRule[];
  keys: { id: string; name: string; kind: string }[];
  createdAt: string;
  updatedAt: string;
}

/** `GET /groups/:id/members`: a user or a nested group. */
export interface GroupMember {
  id: string;
  type: string;
  name: string;
  displayName: string | null;
  active: boolean | null;
}

/** `GET /permissions`: what rules and keys may name. */
export interface PermissionCatalogue {
  permissions: readonly { name: string; description: string; builtin: boolean }[];
  roles: { name: string; permissions: readonly string[] }[];
}

/** `GET /roles`: a built-in role (read-only) or one the organization defined. */
export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
}

/** What keys an organization allows. */
export interface OrgPolicy {
  maxKeys: number;
  allowedExpirations: string[];
  allowNever: boolean;
  maxScimKeyLifetimeDays: number | null;
}

/** `GET /organizations/current`. */
export interface Organization {
  id: string;
  name: string;
  policy: OrgPolicy;
  createdAt: string;
}

/** An entry of the audit log. */
export interface AuditEvent {
  id: string;
  at: string;
  actor: { id: string; name: string };
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

/** `GET /audit` filters; `since`/`until` are ISO 8601 date-times with an offset. */
export interface AuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}
