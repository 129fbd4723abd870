import type { Queryable } from '../db/db.js';
import {
  ancestorGroupIds,
  ancestorGroupsVia,
  directGroupIdsOfMember,
  namedRulesOfGroups,
  rulesOfGroups,
} from './grants-store.js';
import type { SourcedGrantEntry } from '../principals/idp-grant.js';
import { grantOf, type Grant, type OrgRoles } from '../principals/permissions.js';
import { orgRolesFor } from './roles-service.js';

/**
 * What a group grants: its rules and those of every group it is nested in; a conditional rule counted
 * as if its condition held (the most the group can grant anyone, for no-escalation checks and views).
 */
export async function groupGrant(q: Queryable, orgId: string, groupId: string): Promise<Grant> {
  const groups = await ancestorGroupIds(q, orgId, [groupId]);
  return toGrant(q, orgId, await rulesOfGroups(q, orgId, groups));
}

/**
 * What a user's groups grant at most: the union over every group it belongs to, directly or through
 * nesting, conditional rules counted as if they held (the live grant evaluates them: access/resolver.ts).
 * A person holds more under the idpRoles policy: see users-service personGrant.
 */
export async function userGrant(q: Queryable, orgId: string, userId: string): Promise<Grant> {
  const groups = await ancestorGroupIds(q, orgId, await directGroupIdsOfMember(q, orgId, userId));
  return toGrant(q, orgId, await rulesOfGroups(q, orgId, groups));
}

/**
 * What each of a user's groups grants it (directly or through nesting), rule by rule, roles
 * expanded into their permissions: the group half of GET /api/v1/users/:id `grants`. A group the user
 * is in through nesting names, as `via`, one of the user's own groups it is reached through; a
 * conditional rule carries its `when` (the caller evaluates it for the user).
 */
export async function userGrantSources(q: Queryable, orgId: string, userId: string): Promise<SourcedGrantEntry[]> {
  const reach = await ancestorGroupsVia(q, orgId, await directGroupIdsOfMember(q, orgId, userId));
  const via = new Map(reach.map((r) => [r.id, r]));
  const out: SourcedGrantEntry[] = [];
  const rules = await namedRulesOfGroups(q, orgId, [...via.keys()]);
  const orgRoles = await orgRolesFor(q, orgId, rolesNamed(rules));
  for (const rule of rules) {
    const through = via.get(rule.group_id);
    const source = {
      type: 'group' as const,
      id: rule.group_id,
      name: rule.group_name,
      ...(rule.role !== null ? { role: rule.role } : {}),
      ...(through && through.via !== rule.group_id ? { via: { id: through.via, name: through.via_name } } : {}),
      ...(rule.condition !== null ? { when: rule.condition } : {}),
    };
    const entries = grantOf(
      [{ permission: rule.permission ?? undefined, role: rule.role ?? undefined, resources: rule.resources }],
      orgRoles,
    );
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

/**
 * The union of these groups' unconditional rules, as a grant: what they grant a key acting for no
 * person. A conditional rule grants only for a person it holds for (see `rulesOfGroupsSplit`).
 */
export async function grantOfGroups(q: Queryable, orgId: string, groupIds: string[]): Promise<Grant> {
  return toGrant(
    q,
    orgId,
    (await rulesOfGroups(q, orgId, groupIds)).filter((r) => r.condition === null),
  );
}

/** A rule that grants only while its condition (a SCIM filter over the user) holds for the key's person. */
export interface ConditionalRule {
  groupId: string;
  permission?: string;
  role?: string;
  resources: string[] | null;
  when: string;
}

/**
 * These groups' rules split: the grant of the unconditional ones, and the conditional ones for the
 * caller to evaluate against the person a key acts for (issue 13). One query.
 */
export async function rulesOfGroupsSplit(
  q: Queryable,
  orgId: string,
  groupIds: string[],
): Promise<{ grant: Grant; conditional: ConditionalRule[]; orgRoles: OrgRoles | undefined }> {
  const rules = await rulesOfGroups(q, orgId, groupIds);
  const orgRoles = await orgRolesFor(q, orgId, rolesNamed(rules));
  const conditional: ConditionalRule[] = [];
  for (const r of rules) {
    if (r.condition === null) continue;
    conditional.push({
      groupId: r.group_id,
      ...(r.permission !== null ? { permission: r.permission } : {}),
      ...(r.role !== null ? { role: r.role } : {}),
      resources: r.resources,
      when: r.condition,
    });
  }
  return {
    grant: ruleGrant(
      rules.filter((r) => r.condition === null),
      orgRoles,
    ),
    conditional,
    orgRoles,
  };
}

/** What these conditional rules grant, taken as if their conditions held (never more than that). */
export function grantOfConditionalRules(rules: readonly ConditionalRule[], orgRoles?: OrgRoles): Grant {
  return grantOf(
    rules.map((r) => ({ permission: r.permission, role: r.role, resources: r.resources })),
    orgRoles,
  );
}

type RuleFields = { permission: string | null; role: string | null; resources: string[] | null };

/** The roles these rules name (the organization's own among them are loaded, once). */
function rolesNamed(rules: readonly RuleFields[]): string[] {
  return rules.flatMap((r) => (r.role !== null ? [r.role] : []));
}

/** These rules as a grant, conditions not looked at (for a conditional rule: the most it can grant). */
async function toGrant(q: Queryable, orgId: string, rules: RuleFields[]): Promise<Grant> {
  return ruleGrant(rules, await orgRolesFor(q, orgId, rolesNamed(rules)));
}

function ruleGrant(rules: RuleFields[], orgRoles: OrgRoles | undefined): Grant {
  return grantOf(
    rules.map((r) => ({ permission: r.permission ?? undefined, role: r.role ?? undefined, resources: r.resources })),
    orgRoles,
  );
}
