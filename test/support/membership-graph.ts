import type { Queryable } from '../../src/db/db.js';

/**
 * The membership graph of one organization as the database holds it, and what is wrong with it
 * (DESIGN §9: no cycle, no member that does not exist). Read straight from the tables, so no cache
 * or service can hide a problem.
 */

export type MemberType = 'User' | 'Group';

export interface MemberEdge {
  groupId: string;
  memberId: string;
  memberType: MemberType;
}

/** Every `group_members` row of the organization, in a stable order. */
export async function membershipEdges(db: Queryable, orgId: string): Promise<MemberEdge[]> {
  const { rows } = await db.query<{ group_id: string; member_id: string; member_type: MemberType }>(
    'SELECT group_id::text, member_id::text, member_type FROM group_members WHERE org_id = $1 ORDER BY group_id, member_id',
    [orgId],
  );
  return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id, memberType: r.member_type }));
}

/** Rows whose member is not a user (or group, by its type) of the same organization, or whose group is not. */
export async function danglingMembers(db: Queryable, orgId: string): Promise<MemberEdge[]> {
  const { rows } = await db.query<{ group_id: string; member_id: string; member_type: MemberType }>(
    `SELECT gm.group_id::text, gm.member_id::text, gm.member_type FROM group_members gm
      WHERE gm.org_id = $1 AND (
        NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = gm.group_id AND g.org_id = gm.org_id)
        OR (gm.member_type = 'User' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = gm.member_id AND u.org_id = gm.org_id))
        OR (gm.member_type = 'Group' AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = gm.member_id AND g.org_id = gm.org_id)))
      ORDER BY gm.group_id, gm.member_id`,
    [orgId],
  );
  return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id, memberType: r.member_type }));
}

/** Groups whose kept `member_count` differs from the rows they have. */
export async function memberCountMismatches(
  db: Queryable,
  orgId: string,
): Promise<{ groupId: string; kept: number; actual: number }[]> {
  const { rows } = await db.query<{ id: string; kept: number; actual: string | number }>(
    `SELECT g.id::text AS id, g.member_count AS kept,
            (SELECT count(*) FROM group_members gm WHERE gm.org_id = g.org_id AND gm.group_id = g.id) AS actual
       FROM groups g WHERE g.org_id = $1 ORDER BY g.id`,
    [orgId],
  );
  return rows
    .map((r) => ({ groupId: r.id, kept: Number(r.kept), actual: Number(r.actual) }))
    .filter((r) => r.kept !== r.actual);
}

/** A cycle among group-in-group edges, as the list of group ids around it (first repeated last), or undefined. */
export function findCycle(edges: readonly MemberEdge[]): string[] | undefined {
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (e.memberType !== 'Group') continue;
    const list = children.get(e.groupId) ?? [];
    list.push(e.memberId);
    children.set(e.groupId, list);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const child of children.get(node) ?? []) {
      const s = state.get(child);
      if (s === 'open') return [...path.slice(path.indexOf(child)), child];
      if (s === undefined) {
        const found = visit(child);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of children.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

/** Everything wrong with the organization's membership graph, in words; empty when it is sound. */
export async function membershipGraphProblems(
  db: Queryable,
  orgId: string,
  name: (id: string) => string = (id) => id,
): Promise<string[]> {
  const problems: string[] = [];
  for (const d of await danglingMembers(db, orgId)) {
    problems.push(
      `group ${name(d.groupId)} holds ${d.memberType} ${name(d.memberId)}, which does not exist in the organization`,
    );
  }
  const cycle = findCycle(await membershipEdges(db, orgId));
  if (cycle) problems.push(`the groups form a cycle: ${cycle.map(name).join(' ⊃ ')}`);
  for (const m of await memberCountMismatches(db, orgId)) {
    problems.push(`group ${name(m.groupId)} says it has ${m.kept} members but has ${m.actual}`);
  }
  return problems;
}
