import type { Queryable } from '../db/db.js';
import { containsPattern } from '../db/like.js';
import { compileFilter, metaStorage, type Storage } from '../db/filter-sql.js';
import { SqlParams } from '../db/sql-params.js';
import { listRows, type ListResult, type ListSource, type ListWindow } from '../db/list-sql.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { catalogue, resolvePath } from '../schema/catalogue.js';
import { isUuid } from '../db/uuid.js';
import type { GroupRecord, GroupRule, GroupSource, MemberRef, MemberType, NewMember } from './groups.js';

interface GroupRow {
  org_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  source: GroupSource;
  description: string;
  member_count: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  members?: MemberRef[] | null;
}

const COLUMNS =
  'g.org_id, g.id, g.display_name, g.external_id, g.source, g.description, g.member_count, g.version, g.created_at, g.updated_at';

/** Members with a display: what the identity provider sent, else the member's own name. */
const MEMBERS_COLUMN = `,
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('value', gm.member_id, 'type', gm.member_type,
            'display', COALESCE(gm.display, mu.display_name, mu.user_name, mg.display_name)) ORDER BY gm.member_type DESC, gm.member_id), '[]'::jsonb)
     FROM group_members gm
     LEFT JOIN users mu ON gm.member_type = 'User' AND mu.id = gm.member_id
     LEFT JOIN groups mg ON gm.member_type = 'Group' AND mg.id = gm.member_id
    WHERE gm.group_id = g.id AND gm.org_id = g.org_id) AS members`;

function toRecord(row: GroupRow): GroupRecord {
  return {
    orgId: row.org_id,
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    source: row.source,
    description: row.description,
    memberCount: row.member_count,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.members ? { members: row.members } : {}),
  };
}

/** Where each Group attribute lives, for filters and sorting. */
export function groupStorage(path: string): Storage | undefined {
  const resolved = resolvePath(catalogue('Group'), path);
  if (!resolved) return undefined;
  const { attr, sub } = resolved;
  switch (attr.name.toLowerCase()) {
    case 'id':
      return { kind: 'scalar', expr: 'g.id', type: 'uuid', caseExact: true, json: false };
    case 'displayname':
      return { kind: 'scalar', expr: 'g.display_name', type: 'string', caseExact: false, json: false };
    case 'externalid':
      return { kind: 'scalar', expr: 'g.external_id', type: 'string', caseExact: true, json: false };
    case 'meta':
      return metaStorage('g', 'Group', sub?.name);
    case 'members':
      return {
        kind: 'elements',
        def: attr,
        from: (alias) => `(SELECT gm.member_id::text AS value, gm.member_type AS type, gm.display AS display
                             FROM group_members gm WHERE gm.group_id = g.id AND gm.org_id = g.org_id) AS ${alias}`,
        element: (alias, s) => {
          const name = (s ?? sub)?.name.toLowerCase() ?? 'value';
          if (name === 'value')
            return { kind: 'scalar', expr: `${alias}.value`, type: 'string', caseExact: false, json: false };
          if (name === 'type')
            return { kind: 'scalar', expr: `${alias}.type`, type: 'string', caseExact: false, json: false };
          if (name === 'display')
            return { kind: 'scalar', expr: `${alias}.display`, type: 'string', caseExact: false, json: false };
          return undefined;
        },
      };
    default:
      return undefined;
  }
}

export interface NewGroup {
  displayName: string;
  externalId: string | null;
  source: GroupSource;
  description?: string;
}

export async function insertGroup(
  q: Queryable,
  orgId: string,
  id: string,
  group: NewGroup,
  at: Date,
): Promise<GroupRecord> {
  const { rows } = await q.query<GroupRow>(
    `INSERT INTO groups AS g (org_id, id, display_name, external_id, source, description, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ${COLUMNS}`,
    [orgId, id, group.displayName, group.externalId, group.source, group.description ?? '', at],
  );
  return toRecord(rows[0]!);
}

export interface FindGroupOptions {
  withMembers?: boolean;
  /** Lock the row for the rest of the transaction, as deleting it would (FOR UPDATE). */
  forUpdate?: boolean;
  /**
   * Lock the row to change its members or fields (FOR NO KEY UPDATE): concurrent changes to one
   * group serialize, yet nesting the group elsewhere (FOR KEY SHARE, see classifyMembers) goes on.
   */
  forChange?: boolean;
  source?: GroupSource;
}

export async function findGroup(
  q: Queryable,
  orgId: string,
  id: string,
  options: FindGroupOptions = {},
): Promise<GroupRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const params: unknown[] = [orgId, id];
  if (options.source) params.push(options.source);
  const { rows } = await q.query<GroupRow>(
    `SELECT ${COLUMNS}${options.withMembers ? MEMBERS_COLUMN : ''} FROM groups g
      WHERE g.org_id = $1 AND g.id = $2${options.source ? ' AND g.source = $3' : ''}${options.forUpdate ? ' FOR UPDATE OF g' : options.forChange ? ' FOR NO KEY UPDATE OF g' : ''}`,
    params,
  );
  return rows[0] && toRecord(rows[0]);
}

/** Sets the group's own fields and moves its version on; returns the new record. */
export async function updateGroup(
  q: Queryable,
  orgId: string,
  id: string,
  fields: { displayName: string; externalId: string | null },
  at: Date,
): Promise<GroupRecord | undefined> {
  const { rows } = await q.query<GroupRow>(
    `UPDATE groups g SET display_name = $3, external_id = $4, version = version + 1, updated_at = $5
      WHERE g.org_id = $1 AND g.id = $2 RETURNING ${COLUMNS}`,
    [orgId, id, fields.displayName, fields.externalId, at],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Records a membership change on the group row: counts, and (unless just created) version and modification time. */
export async function touchGroup(
  q: Queryable,
  orgId: string,
  id: string,
  memberDelta: number,
  at: Date,
  options: { newVersion: boolean } = { newVersion: true },
): Promise<GroupRecord | undefined> {
  const { rows } = await q.query<GroupRow>(
    `UPDATE groups g SET member_count = member_count + $3,
            version = version + ${options.newVersion ? 1 : 0}, updated_at = ${options.newVersion ? '$4' : 'updated_at'}
      WHERE g.org_id = $1 AND g.id = $2 RETURNING ${COLUMNS}`,
    options.newVersion ? [orgId, id, memberDelta, at] : [orgId, id, memberDelta],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Adds members not already in the group; returns those added. Costs O(members given), whatever the group's size. */
export async function addMembers(
  q: Queryable,
  orgId: string,
  groupId: string,
  members: NewMember[],
): Promise<NewMember[]> {
  if (!members.length) return [];
  const { rows } = await q.query<{ member_id: string }>(
    `INSERT INTO group_members (org_id, group_id, member_id, member_type, display)
     SELECT $1, $2, m.id, m.type, m.display FROM unnest($3::uuid[], $4::text[], $5::text[]) AS m(id, type, display)
      WHERE EXISTS (SELECT 1 FROM groups WHERE id = $2 AND org_id = $1)
     ON CONFLICT (group_id, member_id) DO NOTHING RETURNING member_id`,
    [orgId, groupId, members.map((m) => m.id), members.map((m) => m.type), members.map((m) => m.display)],
  );
  const added = new Set(rows.map((r) => r.member_id));
  return members.filter((m) => added.has(m.id));
}

/** Removes the given members; returns those that were members. */
export async function removeMembers(
  q: Queryable,
  orgId: string,
  groupId: string,
  memberIds: string[],
): Promise<{ id: string; type: MemberType }[]> {
  const ids = memberIds.filter(isUuid);
  if (!ids.length) return [];
  const { rows } = await q.query<{ member_id: string; member_type: MemberType }>(
    'DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND member_id = ANY($3::uuid[]) RETURNING member_id, member_type',
    [orgId, groupId, ids],
  );
  return rows.map((r) => ({ id: r.member_id, type: r.member_type }));
}

/** Removes every member not in `keepIds` (PUT replaces the member list). */
export async function removeMembersNotIn(
  q: Queryable,
  orgId: string,
  groupId: string,
  keepIds: string[],
): Promise<{ id: string; type: MemberType }[]> {
  const { rows } = await q.query<{ member_id: string; member_type: MemberType }>(
    'DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND member_id <> ALL($3::uuid[]) RETURNING member_id, member_type',
    [orgId, groupId, keepIds],
  );
  return rows.map((r) => ({ id: r.member_id, type: r.member_type }));
}

/** Removes the members a value filter selects (`members[type eq "Group"]`), evaluated in SQL. */
export async function removeMembersWhere(
  q: Queryable,
  orgId: string,
  groupId: string,
  filter: FilterNode,
): Promise<{ id: string; type: MemberType }[]> {
  const params = new SqlParams([orgId, groupId]);
  const condition = compileFilter(filter, memberRowStorage, params);
  const { rows } = await q.query<{ member_id: string; member_type: MemberType }>(
    `DELETE FROM group_members m WHERE m.org_id = $1 AND m.group_id = $2 AND ${condition} RETURNING member_id, member_type`,
    params.values,
  );
  return rows.map((r) => ({ id: r.member_id, type: r.member_type }));
}

function memberRowStorage(path: string): Storage | undefined {
  switch (path.toLowerCase()) {
    case 'value':
      return { kind: 'scalar', expr: 'm.member_id::text', type: 'string', caseExact: false, json: false };
    case 'type':
      return { kind: 'scalar', expr: 'm.member_type', type: 'string', caseExact: false, json: false };
    case 'display':
      return { kind: 'scalar', expr: 'm.display', type: 'string', caseExact: false, json: false };
    default:
      return undefined;
  }
}

export async function removeAllMembers(
  q: Queryable,
  orgId: string,
  groupId: string,
): Promise<{ id: string; type: MemberType }[]> {
  const { rows } = await q.query<{ member_id: string; member_type: MemberType }>(
    'DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 RETURNING member_id, member_type',
    [orgId, groupId],
  );
  return rows.map((r) => ({ id: r.member_id, type: r.member_type }));
}

/**
 * Which of `ids` are users or (SCIM) groups of this organization, each locked FOR KEY SHARE until the
 * transaction ends: a concurrent delete of one (FOR UPDATE, then DELETE) waits for this transaction,
 * or, when it came first, the row is gone once it commits and is not returned (READ COMMITTED
 * rechecks a locked row). So a member is never added after its delete has looked for its memberships.
 */
export async function classifyMembers(q: Queryable, orgId: string, ids: string[]): Promise<Map<string, MemberType>> {
  const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))].sort();
  if (!valid.length) return new Map();
  const { rows } = await q.query<{ id: string; type: MemberType }>(
    `WITH u AS (SELECT id FROM users WHERE org_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR KEY SHARE),
          g AS (SELECT id FROM groups WHERE org_id = $1 AND source = 'scim' AND id = ANY($2::uuid[]) ORDER BY id FOR KEY SHARE)
     SELECT id, 'User' AS type FROM u UNION ALL SELECT id, 'Group' AS type FROM g`,
    [orgId, valid],
  );
  return new Map(rows.map((r) => [r.id, r.type]));
}

/**
 * classifyMembers in one statement for the common case: when none of `ids` is a group, the users
 * among them, locked FOR KEY SHARE. When one is, undefined and nothing locked: the caller takes the
 * nesting lock (lockNesting) before it locks any member (classifyMembers). The check reads committed
 * groups without waiting, which is enough: a client learns a group's id only once its creation has
 * committed.
 */
export async function classifyUsersUnlessGroups(
  q: Queryable,
  orgId: string,
  ids: string[],
): Promise<Map<string, MemberType> | undefined> {
  const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))].sort();
  if (!valid.length) return new Map();
  const { rows } = await q.query<{ id: string; type: MemberType }>(
    `WITH g AS (SELECT id FROM groups WHERE org_id = $1 AND source = 'scim' AND id = ANY($2::uuid[])),
          u AS (SELECT id FROM users WHERE org_id = $1 AND id = ANY($2::uuid[]) AND NOT EXISTS (SELECT 1 FROM g) ORDER BY id FOR KEY SHARE)
     SELECT id, 'User' AS type FROM u UNION ALL SELECT id, 'Group' AS type FROM g`,
    [orgId, valid],
  );
  if (rows.some((r) => r.type === 'Group')) return undefined;
  return new Map(rows.map((r) => [r.id, r.type]));
}

// Any constant: the first half of the nesting lock's key, the organization's hash the second.
const NESTING_LOCK = 7_261_002;

/**
 * Serializes, per organization, the transactions that nest a group in another or delete a group,
 * until they end: each cycle check (wouldCreateCycle, run after this) sees every nesting committed
 * before it, and only a transaction holding this lock locks a group as a member, so none waits for
 * a group's row while holding another group's as a member. Adding users never takes it.
 * Transaction-scoped advisory lock: released at commit or rollback.
 */
export async function lockNesting(q: Queryable, orgId: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NESTING_LOCK, orgId]);
}

/**
 * Whether adding `memberGroupIds` into `groupId` would close a cycle: true when one of them is the
 * group itself or contains it, directly or through nesting. Walks up from the group, so it costs the
 * nesting depth, not the group's size.
 */
export async function wouldCreateCycle(
  q: Queryable,
  orgId: string,
  groupId: string,
  memberGroupIds: string[],
): Promise<string | undefined> {
  if (!memberGroupIds.length) return undefined;
  const { rows } = await q.query<{ id: string }>(
    `WITH RECURSIVE ancestors(id) AS (
       SELECT $2::uuid
       UNION
       SELECT gm.group_id FROM group_members gm JOIN ancestors a ON gm.member_id = a.id
        WHERE gm.member_type = 'Group' AND gm.org_id = $1
     ) SELECT id FROM ancestors WHERE id = ANY($3::uuid[]) LIMIT 1`,
    [orgId, groupId, memberGroupIds],
  );
  return rows[0]?.id;
}

/**
 * Deletes a group: its rules and member rows go with it (foreign keys), and it leaves every group it
 * was nested in, whose counts and versions move on. Returns the groups it left, or undefined if absent.
 */
export async function deleteGroup(q: Queryable, orgId: string, id: string, at: Date): Promise<string[] | undefined> {
  if (!isUuid(id)) return undefined;
  const parents = await leaveAllGroups(q, orgId, id, at);
  const { rowCount } = await q.query('DELETE FROM groups WHERE org_id = $1 AND id = $2', [orgId, id]);
  return rowCount > 0 ? parents : undefined;
}

/**
 * Removes a user or group from every group it is in, updating those groups' counts and versions.
 * The caller holds the member's row FOR UPDATE, so no membership of it can be added meanwhile
 * (classifyMembers waits); the groups are locked next, in id order, as a change to each would lock
 * it, and counts move by the rows actually deleted.
 */
export async function leaveAllGroups(q: Queryable, orgId: string, memberId: string, at: Date): Promise<string[]> {
  const { rows: locked } = await q.query<{ id: string }>(
    `SELECT g.id FROM groups g WHERE g.org_id = $1
        AND g.id IN (SELECT group_id FROM group_members WHERE org_id = $1 AND member_id = $2)
      ORDER BY g.id FOR NO KEY UPDATE`,
    [orgId, memberId],
  );
  if (!locked.length) return [];
  const { rows: left } = await q.query<{ group_id: string }>(
    'DELETE FROM group_members WHERE org_id = $1 AND member_id = $2 RETURNING group_id',
    [orgId, memberId],
  );
  if (!left.length) return [];
  const ids = left.map((r) => r.group_id).sort();
  await q.query(
    `UPDATE groups SET member_count = member_count - 1, version = version + 1, updated_at = $3
      WHERE org_id = $1 AND id = ANY($2::uuid[])`,
    [orgId, ids, at],
  );
  return ids;
}

export interface GroupListQuery {
  filter?: FilterNode;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
  withMembers: boolean;
  source?: GroupSource;
}

/** The identity provider's groups as one of the resource types of a list across types (db/list-sql listAcross). */
export const scimGroupListSource: ListSource = {
  resourceType: 'Group',
  table: 'groups g',
  extraWhere: "g.source = 'scim'",
  storage: groupStorage,
};

export async function listGroups(q: Queryable, orgId: string, query: GroupListQuery): Promise<ListResult<GroupRecord>> {
  return listRows<GroupRow, GroupRecord>(q, {
    table: 'groups g',
    columns: `${COLUMNS}${query.withMembers ? MEMBERS_COLUMN : ''}`,
    orgId,
    extraWhere: query.source ? `g.source = '${query.source === 'scim' ? 'scim' : 'local'}'` : undefined,
    filter: query.filter,
    storage: groupStorage,
    sort: query.sort,
    window: query.window,
    map: toRecord,
  });
}

// ---- rules -------------------------------------------------------------------------------

export async function replaceRules(q: Queryable, orgId: string, groupId: string, rules: GroupRule[]): Promise<void> {
  await q.query('DELETE FROM group_rules WHERE org_id = $1 AND group_id = $2', [orgId, groupId]);
  if (!rules.length) return;
  await q.query(
    `INSERT INTO group_rules (org_id, group_id, position, permission, role, resources, condition)
     SELECT $1, $2, r.position, r.permission, r.role,
            CASE WHEN r.resources IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(r.resources)) END,
            r.condition
       FROM jsonb_to_recordset($3::jsonb) AS r(position int, permission text, role text, resources jsonb, condition text)
      WHERE EXISTS (SELECT 1 FROM groups WHERE id = $2 AND org_id = $1)`,
    [
      orgId,
      groupId,
      JSON.stringify(
        rules.map((r, i) => ({
          position: i,
          permission: r.permission ?? null,
          role: r.role ?? null,
          resources: r.resources?.length ? r.resources : null,
          condition: r.when ?? null,
        })),
      ),
    ],
  );
}

export interface RuleRow {
  permission: string | null;
  role: string | null;
  resources: string[] | null;
  /** The rule's condition on the user (a SCIM filter), if any; stored as `condition`, named `when` in the API. */
  condition?: string | null;
}

export function toRule(r: RuleRow): GroupRule {
  return {
    ...(r.permission !== null ? { permission: r.permission } : {}),
    ...(r.role !== null ? { role: r.role } : {}),
    ...(r.resources !== null ? { resources: r.resources } : {}),
    ...(r.condition != null ? { when: r.condition } : {}),
  };
}

export async function rulesOfGroup(q: Queryable, orgId: string, groupId: string): Promise<GroupRule[]> {
  const { rows } = await q.query<RuleRow>(
    'SELECT permission, role, resources, condition FROM group_rules WHERE org_id = $1 AND group_id = $2 ORDER BY position',
    [orgId, groupId],
  );
  return rows.map(toRule);
}

// ---- admin views -------------------------------------------------------------------------

export interface AdminGroupRow extends Omit<GroupRow, 'org_id' | 'members'> {
  parents: { id: string; displayName: string }[];
  rules: RuleRow[];
  keys: { id: string; name: string; kind: string }[];
}

const ADMIN_GROUP_SELECT = `
  SELECT g.id, g.display_name, g.external_id, g.source, g.description, g.member_count, g.version, g.created_at, g.updated_at,
    (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', p.id, 'displayName', p.display_name) ORDER BY lower(p.display_name)), '[]'::jsonb)
       FROM group_members gm JOIN groups p ON p.id = gm.group_id
      WHERE gm.member_id = g.id AND gm.org_id = g.org_id) AS parents,
    (SELECT COALESCE(jsonb_agg(jsonb_build_object('permission', r.permission, 'role', r.role, 'resources', r.resources, 'condition', r.condition) ORDER BY r.position), '[]'::jsonb)
       FROM group_rules r WHERE r.group_id = g.id AND r.org_id = g.org_id) AS rules,
    (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', k.id, 'name', k.name, 'kind', k.kind) ORDER BY k.created_at), '[]'::jsonb)
       FROM api_keys k WHERE k.group_id = g.id AND k.org_id = g.org_id
        AND (k.revoked_at IS NULL OR k.revoked_at > $2) AND (k.expires_at IS NULL OR k.expires_at > $2)) AS keys
  FROM groups g`;

export interface AdminGroupQuery {
  text?: string;
  source?: GroupSource;
  after?: { name: string; id: string };
  limit: number;
}

/** Groups with what an admin needs to see at once: rules, parents, and the live keys assigned to each. */
export async function listGroupsForAdmin(
  q: Queryable,
  orgId: string,
  query: AdminGroupQuery,
  now: Date,
): Promise<AdminGroupRow[]> {
  const params: unknown[] = [orgId, now];
  const where = ['g.org_id = $1'];
  if (query.text) {
    params.push(containsPattern(query.text));
    where.push(`(g.display_name ILIKE $${params.length} OR g.external_id ILIKE $${params.length})`);
  }
  if (query.source) {
    params.push(query.source);
    where.push(`g.source = $${params.length}`);
  }
  if (query.after) {
    params.push(query.after.name, query.after.id);
    where.push(`(lower(g.display_name), g.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(query.limit);
  const { rows } = await q.query<AdminGroupRow>(
    `${ADMIN_GROUP_SELECT} WHERE ${where.join(' AND ')} ORDER BY lower(g.display_name), g.id LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export async function findGroupForAdmin(
  q: Queryable,
  orgId: string,
  id: string,
  now: Date,
): Promise<AdminGroupRow | undefined> {
  if (!isUuid(id)) return undefined;
  const { rows } = await q.query<AdminGroupRow>(`${ADMIN_GROUP_SELECT} WHERE g.org_id = $1 AND g.id = $3`, [
    orgId,
    now,
    id,
  ]);
  return rows[0];
}

export interface MemberRow {
  id: string;
  type: MemberType;
  name: string;
  display_name: string | null;
  active: boolean | null;
}

/** One page of a group's members, in id order (a keyset, so deep pages cost the same as the first). */
export async function membersPage(
  q: Queryable,
  orgId: string,
  groupId: string,
  after: string | undefined,
  limit: number,
): Promise<MemberRow[]> {
  const { rows } = await q.query<MemberRow>(
    `SELECT gm.member_id AS id, gm.member_type AS type, COALESCE(u.user_name, mg.display_name, gm.display, '') AS name,
            COALESCE(u.display_name, gm.display) AS display_name, u.active
       FROM group_members gm
       LEFT JOIN users u ON gm.member_type = 'User' AND u.id = gm.member_id
       LEFT JOIN groups mg ON gm.member_type = 'Group' AND mg.id = gm.member_id
      WHERE gm.org_id = $1 AND gm.group_id = $2 AND ($3::uuid IS NULL OR gm.member_id > $3::uuid)
      ORDER BY gm.member_id LIMIT $4`,
    [orgId, groupId, after ?? null, limit],
  );
  return rows;
}

export async function updateLocalGroup(
  q: Queryable,
  orgId: string,
  id: string,
  fields: { displayName?: string; description?: string },
  at: Date,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE groups SET display_name = COALESCE($3, display_name), description = COALESCE($4, description), version = version + 1, updated_at = $5
      WHERE org_id = $1 AND id = $2 AND source = 'local'`,
    [orgId, id, fields.displayName ?? null, fields.description ?? null, at],
  );
  return rowCount > 0;
}

// ---- batched point reads (see db/batch-loader.ts) ------------------------------------------

export type GroupLookupColumn = 'display_name' | 'external_id';

/** `displayName eq "x"` or `externalId eq "x"`: Entra's lookups before it creates or updates a group. */
export function groupLookup(filter: FilterNode | undefined): { column: GroupLookupColumn; value: string } | undefined {
  if (filter?.kind !== 'compare' || filter.op !== 'eq' || filter.value === null || typeof filter.value === 'boolean')
    return undefined;
  const resolved = resolvePath(catalogue('Group'), filter.path);
  if (!resolved || resolved.sub) return undefined;
  const name = resolved.attr.name.toLowerCase();
  const column = name === 'displayname' ? 'display_name' : name === 'externalid' ? 'external_id' : undefined;
  return column ? { column, value: String(filter.value) } : undefined;
}

export async function findGroupsByIds(
  q: Queryable,
  orgId: string,
  ids: string[],
  options: { withMembers: boolean; source: GroupSource },
): Promise<Map<string, GroupRecord>> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return new Map();
  const { rows } = await q.query<GroupRow>(
    `SELECT ${COLUMNS}${options.withMembers ? MEMBERS_COLUMN : ''} FROM groups g WHERE g.org_id = $1 AND g.id = ANY($2::uuid[]) AND g.source = $3`,
    [orgId, valid, options.source],
  );
  return new Map(rows.map((r) => [r.id, toRecord(r)]));
}

/** The first `limit` SCIM groups matching each value, and how many match in all, for many values at once. */
export async function findGroupsBy(
  q: Queryable,
  orgId: string,
  column: GroupLookupColumn,
  values: string[],
  options: { withMembers: boolean; limit: number },
): Promise<Map<string, { rows: GroupRecord[]; total: number }>> {
  const match = column === 'display_name' ? 'lower(g.display_name) = lower(k.key)' : 'g.external_id = k.key';
  const { rows } = await q.query<GroupRow & { key: string; total: number }>(
    `SELECT k.key, x.* FROM unnest($2::text[]) AS k(key)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS}${options.withMembers ? MEMBERS_COLUMN : ''}, count(*) OVER () AS total
           FROM groups g WHERE g.org_id = $1 AND g.source = 'scim' AND ${match}
          ORDER BY g.created_at, g.id LIMIT $3) x`,
    [orgId, values, options.limit],
  );
  const out = new Map<string, { rows: GroupRecord[]; total: number }>();
  for (const row of rows) {
    const entry = out.get(row.key) ?? { rows: [], total: Number(row.total) };
    entry.rows.push(toRecord(row));
    out.set(row.key, entry);
  }
  return out;
}
