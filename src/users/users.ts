import { z } from 'zod';
import type { SourcedGrantEntry } from '../principals/idp-grant.js';

/** A provisioned identity. Columns hold what is filtered, sorted or joined; `attributes` the rest of the SCIM document. */
export interface UserRecord {
  orgId: string;
  id: string;
  userName: string;
  externalId: string | null;
  /**
   * null: unassigned (a SCIM `remove` of active, RFC 7644 §3.5.2.2). Only `true` is active: null
   * suspends the user's personal keys as false does.
   */
  active: boolean | null;
  displayName: string | null;
  attributes: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Direct and nested group memberships, loaded only when the response includes them. */
  groups?: UserGroupRef[];
}

export interface UserGroupRef {
  value: string;
  display: string;
  type: 'direct' | 'indirect';
}

export interface UserFields {
  userName: string;
  externalId: string | null;
  active: boolean | null;
  displayName: string | null;
  attributes: Record<string, unknown>;
}

/** GET /api/v1/users (DESIGN §7): the route parses with it and the service takes its type. */
export const ListUsersQuery = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type ListUsersInput = z.infer<typeof ListUsersQuery>;

/** One of a user's roles or entitlements as the identity provider sent it, and whether keyscope knows its value. */
export interface IdpAssignmentView {
  /** As the identity provider sent it. */
  value: string;
  /** What the value names when that differs from it (Entra's JSON-string app role assignments). */
  names?: string;
  display?: string;
  type?: string;
  primary?: boolean;
  /** A keyscope role (roles) or a permission an organization can hold (entitlements). */
  known: boolean;
  /** Whether it grants now: known, and the organization's idpRoles policy is on. */
  grants: boolean;
}

/** GET /api/v1/users/:id: the user, what the identity provider assigned it, and where each grant comes from. */
export interface UserDetail {
  id: string;
  userName: string;
  displayName: string | null;
  externalId: string | null;
  active: boolean | null;
  /** Its groups, directly and through nesting. */
  groups: { id: string; displayName: string; type: 'direct' | 'indirect' }[];
  /** The organization's idpRoles policy: whether roles and entitlements grant. */
  idpRoles: boolean;
  roles: IdpAssignmentView[];
  entitlements: IdpAssignmentView[];
  /**
   * What a personal key of this user (not narrowed) holds, entry by entry, each with its source: a
   * group's rule, an identity-provider role or entitlement. Empty while the user is not active.
   */
  grants: SourcedGrantEntry[];
  /** Entries of conditional rules whose condition does not hold for this user now: not part of `grants`. */
  conditionsNotMet: SourcedGrantEntry[];
  createdAt: string;
  updatedAt: string;
}
