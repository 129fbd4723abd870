import { PLATFORM_PERMISSIONS, compact, permissionsOfRole, type Grant, type OrgRoles } from './permissions.js';

/**
 * Roles and entitlements the identity provider assigned a person (RFC 7643 §4.1.2 `roles` and
 * `entitlements`, their `value`s), and what they grant when the organization's `idpRoles` policy
 * lets them: a role value that names a keyscope role grants that role's permissions, an entitlement
 * value that names a permission grants it; anything else is kept and shown, and grants nothing.
 * Values compare exactly, as /scim/v2/Roles and /scim/v2/Entitlements list them.
 */
export interface IdpAssignments {
  roles: string[];
  entitlements: string[];
}

/** Where one entry of a person's grant comes from (GET /api/v1/users/:id). */
export type GrantSource =
  | {
      type: 'group';
      id: string;
      name: string;
      role?: string;
      /** For a group the user is in through nesting: one of the user's own groups it is reached through. */
      via?: { id: string; name: string };
      /** A conditional rule: its condition on the user, and whether it holds for this user now. */
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

/** What the identity provider may name: keyscope's roles and the permissions an organization can hold. */
export interface IdpVocabulary {
  isRole(value: string): boolean;
  isEntitlement(value: string): boolean;
}

/**
 * What a stored `value` names. Entra ID, in its default (pre-aadOptscim062020) PATCH dialect, sends an
 * app role assigned through AppRoleAssignmentsComplex as a JSON string inside `value`
 * (`"{\"id\":\"…\",\"value\":\"admin\",\"displayName\":\"Admin\"}"`, Microsoft Learn,
 * "Customize user provisioning attribute-mappings"): keyscope keeps it as sent and reads the inner
 * `value` as what it names. Any other string names itself.
 */
export function assignedValue(value: string): string {
  if (!value.startsWith('{')) return value;
  try {
    const inner = JSON.parse(value) as unknown;
    const named = inner !== null && typeof inner === 'object' ? (inner as { value?: unknown }).value : undefined;
    return typeof named === 'string' ? named : value;
  } catch {
    return value;
  }
}

/** What the `value`s of a multi-valued attribute as stored name (strings only; anything else names nothing). */
export function valuesOf(attribute: unknown): string[] {
  if (!Array.isArray(attribute)) return [];
  const out: string[] = [];
  for (const element of attribute) {
    const value = element !== null && typeof element === 'object' ? (element as { value?: unknown }).value : undefined;
    if (typeof value !== 'string') continue;
    const named = assignedValue(value);
    if (!out.includes(named)) out.push(named);
  }
  return out;
}

/** The assignments in a stored user document (its `attributes`). */
export function idpAssignmentsOf(attributes: Record<string, unknown>): IdpAssignments {
  return { roles: valuesOf(attributes.roles), entitlements: valuesOf(attributes.entitlements) };
}

/**
 * The entries the assignments grant, each with its source. Platform permissions (orgs:create,
 * metrics:read) are never an entitlement: an organization's identity provider cannot reach above
 * the organization, as its admins cannot.
 */
export function idpGrantEntries(
  assignments: IdpAssignments,
  vocabulary: IdpVocabulary,
  orgRoles?: OrgRoles,
): SourcedGrantEntry[] {
  const out: SourcedGrantEntry[] = [];
  for (const value of assignments.roles) {
    // A built-in role or one the organization defined (/api/v1/roles); an organization's role never
    // holds a platform permission (groups/roles-service refuses it), and is filtered here all the same.
    for (const permission of permissionsOfRole(value, orgRoles) ?? []) {
      if (PLATFORM_PERMISSIONS.has(permission)) continue;
      out.push({ permission, resources: null, source: { type: 'idpRole', value } });
    }
  }
  for (const value of assignments.entitlements) {
    if (!vocabulary.isEntitlement(value) || PLATFORM_PERMISSIONS.has(value)) continue;
    out.push({ permission: value, resources: null, source: { type: 'idpEntitlement', value } });
  }
  return out;
}

/** What the assignments grant when the policy is on; nothing when it is off. */
export function idpGrant(
  assignments: IdpAssignments,
  vocabulary: IdpVocabulary,
  policyOn: boolean,
  orgRoles?: OrgRoles,
): Grant {
  if (!policyOn) return [];
  return compact(
    idpGrantEntries(assignments, vocabulary, orgRoles).map(({ permission, resources }) => ({ permission, resources })),
  );
}

/** A person's grant: their groups' and the identity provider's, as one compacted grant. */
export function unionGrant(...grants: Grant[]): Grant {
  return compact(grants.flat());
}
