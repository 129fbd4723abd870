import type { Queryable } from '../db/db.js';
import { ancestorGroupIds, directGroupIdsOfMember, namedRulesOfGroups, rulesOfGroups } from './grants-store.js';
import type { SourcedGrantEntry } from '../principals/idp-grant.js';
import { grantOf, type Grant } from '../principals/permissions.js';

/** What a group grants: its rules and those of every group it is nested in. */
export async function groupGrant(q: Queryable, orgId: string, groupId: string): Promise<Grant> {
  const groups = await ancestorGroupIds(q, orgId, [groupId]);
  return toGrant(await rulesOfGroups(q, orgId, groups));
}

/**
 * What a user's groups grant: the union over every group it belongs to, directly or through nesting.
 * A person holds more under the idpRoles policy: see users-service personGrant.
 */
export async function userGrant(q: Queryable, orgId: string, userId: string): Promise<Grant> {
  const groups = await ancestorGroupIds(q, orgId, await directGroupIdsOfMember(q, orgId, userId));
  return toGrant(await rulesOfGroups(q, orgId, groups));
}

/**
 * What each of a user's groups grants it (directly or through nesting), rule by rule, roles
 * expanded into their permissions: the group half of GET /api/v1/users/:id `grants`.
 */
export async function userGrantSources(q: Queryable, orgId: string, userId: string): Promise<SourcedGrantEntry[]> {
  const groups = await ancestorGroupIds(q, orgId, await directGroupIdsOfMember(q, orgId, userId));
  const out: SourcedGrantEntry[] = [];
  for (const rule of await namedRulesOfGroups(q, orgId, groups)) {
    const source = {
      type: 'group' as const,
      id: rule.group_id,
      name: rule.group_name,
      ...(rule.role !== null ? { role: rule.role } : {}),
    };
    const entries = grantOf([
      { permission: rule.permission ?? undefined, role: rule.role ?? undefined, resources: rule.resources },
    ]);
    for (const entry of entries) out.push({ ...entry, source });
  }
  return out;
}

/** Whether a user is in a group, directly or through nested groups. */
export async function isMemberOf(q: Queryable, orgId: string, userId: string, groupId: string): Promise<boolean> {
  const groups = await ancestorGroupIds(q, orgId, await directGroupIdsOfMember(q, orgId, userId));
  return groups.includes(groupId);
}

/**
 * The groups a key draws on (DESIGN §5), each with every group it is nested in: its owner's groups
 * (for a personal key, even one narrowed to a group: leaving a nested group can suspend it) and its own group.
 */
export async function groupsOfKey(
  q: Queryable,
  orgId: string,
  key: { kind: 'service' | 'personal'; groupId: string | null; ownerUserId: string | null },
): Promise<{ ownerGroups: string[]; keyGroups: string[] }> {
  const direct =
    key.kind === 'personal' && key.ownerUserId ? await directGroupIdsOfMember(q, orgId, key.ownerUserId) : [];
  const [ownerGroups, keyGroups] = await Promise.all([
    ancestorGroupIds(q, orgId, direct),
    key.groupId ? ancestorGroupIds(q, orgId, [key.groupId]) : Promise.resolve<string[]>([]),
  ]);
  return { ownerGroups, keyGroups };
}

/** The union of these groups' rules, as a grant. */
export async function grantOfGroups(q: Queryable, orgId: string, groupIds: string[]): Promise<Grant> {
  return toGrant(await rulesOfGroups(q, orgId, groupIds));
}

function toGrant(rules: { permission: string | null; role: string | null; resources: string[] | null }[]): Grant {
  return grantOf(
    rules.map((r) => ({ permission: r.permission ?? undefined, role: r.role ?? undefined, resources: r.resources })),
  );
}
