/**
 * Permissions are `resource:action` strings with wildcards `resource:*`, `*:action` and `*` (DESIGN §5).
 * Platform permissions (creating organizations, reading the deployment's metrics) sit above any one
 * organization: no wildcard covers them, so an organization's own admins cannot grant them to themselves.
 */

export interface PermissionInfo {
  name: string;
  description: string;
  builtin: boolean;
}

export const BUILTIN_PERMISSIONS: readonly PermissionInfo[] = [
  {
    name: 'org:admin',
    description: 'Everything in the organization, including keys with the SCIM flag',
    builtin: true,
  },
  {
    name: 'orgs:create',
    description: 'Create organizations (platform operators only; no wildcard grants it)',
    builtin: true,
  },
  { name: 'keys:read', description: 'List and read API keys', builtin: true },
  { name: 'keys:write', description: 'Create, edit, rotate and revoke your own personal keys', builtin: true },
  { name: 'keys:manage', description: 'Create service keys and manage every key in the organization', builtin: true },
  { name: 'keys:introspect', description: 'Introspect other tokens (RFC 7662)', builtin: true },
  {
    name: 'keys:impersonate',
    description: 'Create impersonation keys, which exchange themselves for tokens of any user (RFC 8693)',
    builtin: true,
  },
  { name: 'groups:read', description: 'List groups, their members and rules', builtin: true },
  { name: 'groups:write', description: 'Create local groups and change group rules', builtin: true },
  { name: 'users:read', description: 'Read provisioned users', builtin: true },
  { name: 'audit:read', description: 'Read the audit log', builtin: true },
  {
    name: 'metrics:read',
    description:
      'Read /metrics: totals of the whole deployment, every organization (platform operators only; no wildcard grants it)',
    builtin: true,
  },
];

/**
 * Above any one organization: orgs:create makes organizations; metrics:read shows every
 * organization's traffic added up, which one tenant's admins must not see of the others.
 */
export const PLATFORM_PERMISSIONS: ReadonlySet<string> = new Set(['orgs:create', 'metrics:read']);

export const ROLES: Readonly<Record<string, readonly string[]>> = {
  admin: ['*'],
  'key-manager': ['keys:read', 'keys:write', 'keys:manage', 'groups:read', 'users:read'],
  developer: ['keys:read', 'keys:write', 'groups:read'],
  viewer: ['*:read'],
};

/** Whether a role name is one of keyscope's own (ROLES), which no organization may redefine. */
export function isBuiltinRole(name: string): boolean {
  return Object.hasOwn(ROLES, name);
}

/**
 * The roles an organization defined (name → permissions; /api/v1/roles), beside the built-in ROLES.
 * Absent where a grant draws on built-in roles only.
 */
export type OrgRoles = ReadonlyMap<string, readonly string[]>;

/** The permissions a role names: a built-in role's, else the organization's role of that name, else none. */
export function permissionsOfRole(role: string, orgRoles?: OrgRoles): readonly string[] | undefined {
  if (isBuiltinRole(role)) return ROLES[role];
  return orgRoles?.get(role);
}

export interface GrantEntry {
  /** A permission or a pattern. */
  permission: string;
  /** null: every resource; otherwise only these resource ids. */
  resources: string[] | null;
}

export type Grant = GrantEntry[];

const WILDCARD = '*';
const PATTERN = /^(\*|[a-z][a-z0-9_-]*:(\*|[a-z][a-z0-9_-]*)|\*:[a-z][a-z0-9_-]*)$/;

export function isPattern(value: string): boolean {
  return PATTERN.test(value);
}

function split(pattern: string): [string, string] {
  if (pattern === WILDCARD) return [WILDCARD, WILDCARD];
  const i = pattern.indexOf(':');
  return [pattern.slice(0, i), pattern.slice(i + 1)];
}

/** Whether `outer` covers every permission `inner` covers (both may be patterns). */
export function covers(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  if (PLATFORM_PERMISSIONS.has(inner)) return false;
  const [or, oa] = split(outer);
  const [ir, ia] = split(inner);
  return (or === WILDCARD || or === ir) && (oa === WILDCARD || oa === ia);
}

/** The pattern covering exactly what both cover, or undefined when they share nothing. */
export function meet(a: string, b: string): string | undefined {
  if (covers(a, b)) return b;
  if (covers(b, a)) return a;
  if (PLATFORM_PERMISSIONS.has(a) || PLATFORM_PERMISSIONS.has(b)) return undefined;
  const [ar, aa] = split(a);
  const [br, ba] = split(b);
  const r = ar === WILDCARD ? br : br === WILDCARD || br === ar ? ar : undefined;
  const act = aa === WILDCARD ? ba : ba === WILDCARD || ba === aa ? aa : undefined;
  if (r === undefined || act === undefined) return undefined;
  return r === WILDCARD && act === WILDCARD ? WILDCARD : `${r}:${act}`;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export function decide(grant: Grant, permission: string, resource?: string): Decision {
  let narrowed = false;
  for (const entry of grant) {
    if (!covers(entry.permission, permission)) continue;
    if (entry.resources === null) return { allowed: true };
    if (resource !== undefined && entry.resources.includes(resource)) return { allowed: true };
    narrowed = true;
  }
  if (narrowed) {
    return {
      allowed: false,
      reason:
        resource === undefined
          ? `${permission} is granted only for specific resources; name one`
          : `${permission} is not granted for resource ${resource}`,
    };
  }
  return { allowed: false, reason: `${permission} is not granted to this key` };
}

export function can(grant: Grant, permission: string, resource?: string): boolean {
  return decide(grant, permission, resource).allowed;
}

/** Narrows a grant to an explicit permission list (a key's "Read only" / "Restricted" subset). */
export function narrow(grant: Grant, permissions: readonly string[] | null): Grant {
  if (permissions === null) return grant;
  const out: Grant = [];
  for (const entry of grant) {
    for (const p of permissions) {
      const m = meet(entry.permission, p);
      if (m !== undefined) out.push({ permission: m, resources: entry.resources });
    }
  }
  return compact(out);
}

/** What both grants allow (an impersonation token: never more than the key nor the user holds). */
export function intersect(a: Grant, b: Grant): Grant {
  const out: Grant = [];
  for (const x of a) {
    for (const y of b) {
      const permission = meet(x.permission, y.permission);
      if (permission === undefined) continue;
      const resources =
        x.resources === null
          ? y.resources
          : y.resources === null
            ? x.resources
            : x.resources.filter((r) => y.resources?.includes(r));
      if (resources !== null && !resources.length) continue;
      out.push({ permission, resources });
    }
  }
  return compact(out);
}

function resourcesCovered(outer: string[] | null, inner: string[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  return inner.every((r) => outer.includes(r));
}

/** Whether everything `inner` grants is also granted by `outer` (no escalation). */
export function isSubset(inner: Grant, outer: Grant): boolean {
  return inner.every((i) =>
    outer.some((o) => covers(o.permission, i.permission) && resourcesCovered(o.resources, i.resources)),
  );
}

/**
 * What of `wanted` a caller may not hand out (to a key it creates, or in a group's rules): anything
 * it does not hold itself, except that an org:admin may grant anything inside its organization.
 * Platform permissions are never handed out by someone who lacks them, admin or not.
 */
export function beyondCaller(caller: Grant, wanted: Grant): Grant {
  const admin = can(caller, 'org:admin');
  return wanted.filter((w) => (admin && !PLATFORM_PERMISSIONS.has(w.permission) ? false : !isSubset([w], caller)));
}

/** Drops duplicates and entries another entry already covers, and sorts, so equal grants read the same. */
export function compact(grant: Grant): Grant {
  const unique: Grant = [];
  for (const entry of grant) {
    if (!unique.some((u) => u.permission === entry.permission && sameResources(u.resources, entry.resources)))
      unique.push(entry);
  }
  return unique
    .filter(
      (entry) =>
        !unique.some(
          (other) =>
            other !== entry &&
            covers(other.permission, entry.permission) &&
            resourcesCovered(other.resources, entry.resources),
        ),
    )
    .sort((a, b) => a.permission.localeCompare(b.permission));
}

function sameResources(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((r) => b.includes(r));
}

export interface Rule {
  permission?: string;
  role?: string;
  resources?: string[] | null;
}

/**
 * Expands roles into their permissions: built-in roles, and the organization's own when given; a role
 * name neither knows grants nothing (fail closed: a rule naming a role deleted meanwhile).
 */
export function grantOf(rules: readonly Rule[], orgRoles?: OrgRoles): Grant {
  const out: Grant = [];
  for (const rule of rules) {
    const resources = rule.resources?.length ? [...rule.resources] : null;
    const names =
      rule.role !== undefined
        ? (permissionsOfRole(rule.role, orgRoles) ?? [])
        : rule.permission !== undefined
          ? [rule.permission]
          : [];
    for (const permission of names) out.push({ permission, resources });
  }
  return compact(out);
}
