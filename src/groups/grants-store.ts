import type { Queryable } from '../db/db.js';

export interface RuleRow {
  group_id: string;
  permission: string | null;
  role: string | null;
  resources: string[] | null;
  /** A condition on the user the key acts for (a SCIM filter), or null (issue 13). */
  condition: string | null;
}

/**
 * The groups a grant draws from: the starting groups and every group they are nested in, transitively.
 * UNION (not UNION ALL) makes the recursion stop even if a cycle slipped in.
 */
const ANCESTORS = `
  WITH RECURSIVE ancestors(id) AS (
    SELECT unnest($2::uuid[])
    UNION
    SELECT gm.group_id FROM group_members gm JOIN ancestors a ON gm.member_id = a.id
     WHERE gm.member_type = 'Group' AND gm.org_id = $1
  )`;

export async function ancestorGroupIds(q: Queryable, orgId: string, groupIds: string[]): Promise<string[]> {
  if (!groupIds.length) return [];
  const { rows } = await q.query<{ id: string }>(
    `${ANCESTORS} SELECT a.id FROM ancestors a JOIN groups g ON g.id = a.id AND g.org_id = $1`,
    [orgId, groupIds],
  );
  return rows.map((r) => r.id);
}

export async function rulesOfGroups(q: Queryable, orgId: string, groupIds: string[]): Promise<RuleRow[]> {
  if (!groupIds.length) return [];
  const { rows } = await q.query<RuleRow>(
    `SELECT group_id, permission, role, resources, condition FROM group_rules
      WHERE org_id = $1 AND group_id = ANY($2::uuid[]) ORDER BY group_id, position`,
    [orgId, groupIds],
  );
  return rows;
}

export async function directGroupIdsOfMember(q: Queryable, orgId: string, memberId: string): Promise<string[]> {
  const { rows } = await q.query<{ group_id: string }>(
    'SELECT group_id FROM group_members WHERE org_id = $1 AND member_id = $2',
    [orgId, memberId],
  );
  return rows.map((r) => r.group_id);
}

/**
 * The groups a member reaches (its own and every group they sit in), each with one of the member's own
 * groups it is reached through (`via` = the group itself for a group the member is directly in).
 * Pairs (group, via) are finite, so UNION stops even on a cycle.
 */
export async function ancestorGroupsVia(
  q: Queryable,
  orgId: string,
  groupIds: string[],
): Promise<{ id: string; via: string; via_name: string }[]> {
  if (!groupIds.length) return [];
  const { rows } = await q.query<{ id: string; via: string; via_name: string }>(
    `WITH RECURSIVE reach(id, via) AS (
       SELECT g, g FROM unnest($2::uuid[]) AS g
       UNION
       SELECT gm.group_id, r.via FROM group_members gm JOIN reach r ON gm.member_id = r.id
        WHERE gm.member_type = 'Group' AND gm.org_id = $1
     )
     SELECT DISTINCT ON (r.id) r.id, r.via, v.display_name AS via_name
       FROM reach r JOIN groups g ON g.id = r.id AND g.org_id = $1 JOIN groups v ON v.id = r.via AND v.org_id = $1
      ORDER BY r.id, (r.id = r.via) DESC, lower(v.display_name), r.via`,
    [orgId, groupIds],
  );
  return rows;
}

export interface NamedRuleRow extends RuleRow {
  group_name: string;
}

/** The rules of these groups with each group's name, in name order (where a user's grant comes from). */
export async function namedRulesOfGroups(q: Queryable, orgId: string, groupIds: string[]): Promise<NamedRuleRow[]> {
  if (!groupIds.length) return [];
  const { rows } = await q.query<NamedRuleRow>(
    `SELECT r.group_id, g.display_name AS group_name, r.permission, r.role, r.resources, r.condition
       FROM group_rules r JOIN groups g ON g.id = r.group_id AND g.org_id = r.org_id
      WHERE r.org_id = $1 AND r.group_id = ANY($2::uuid[]) ORDER BY lower(g.display_name), g.id, r.position`,
    [orgId, groupIds],
  );
  return rows;
}
