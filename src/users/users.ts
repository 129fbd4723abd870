import { z } from 'zod';

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

/** A user as GET /api/v1/users/:id shows it: its groups, direct and through nesting. */
export interface AdminUser {
  id: string;
  userName: string;
  displayName: string | null;
  externalId: string | null;
  active: boolean | null;
  groups: { id: string; displayName: string; type: 'direct' | 'indirect' }[];
  createdAt: string;
  updatedAt: string;
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
