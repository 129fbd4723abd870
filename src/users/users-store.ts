import type { Queryable } from '../db/db.js';
import { containsPattern } from '../db/like.js';
import { compileFilter, jsonStorage, metaStorage, type Storage } from '../db/filter-sql.js';
import { isUuid } from '../db/uuid.js';
import { listRows, type ListResult, type ListSource, type ListWindow } from '../db/list-sql.js';
import { SqlParams, literal } from '../db/sql-params.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { catalogue, resolvePath, type ResourceCatalogue } from '../schema/catalogue.js';
import type { UserFields, UserGroupRef, UserRecord } from './users.js';

interface UserRow {
  org_id: string;
  id: string;
  user_name: string;
  external_id: string | null;
  active: boolean | null;
  display_name: string | null;
  attributes: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  groups?: UserGroupRef[] | null;
}

const COLUMNS =
  'u.org_id, u.id, u.user_name, u.external_id, u.active, u.display_name, u.attributes, u.version, u.created_at, u.updated_at';

/**
 * The user's SCIM groups (RFC 7643 §4.1.2 `groups`): direct memberships, each saying whether the
 * group is itself nested. Only then does a second query walk the nesting for indirect ones, so the
 * common case costs one indexed lookup instead of a recursive query on every read.
 */
const GROUPS_COLUMN = `,
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('value', g.id, 'display', g.display_name, 'type', 'direct',
            'nested', EXISTS (SELECT 1 FROM group_members p WHERE p.member_id = g.id AND p.org_id = g.org_id))
            ORDER BY g.display_name, g.id), '[]'::jsonb)
     FROM group_members gm JOIN groups g ON g.id = gm.group_id AND g.source = 'scim'
    WHERE gm.member_id = u.id AND gm.org_id = u.org_id) AS groups`;

const ALL_GROUPS = `
  WITH RECURSIVE memberships(id, direct) AS (
    SELECT gm.group_id, true FROM group_members gm WHERE gm.member_id = $2 AND gm.org_id = $1
    UNION
    SELECT gm.group_id, false FROM group_members gm JOIN memberships m ON gm.member_id = m.id
     WHERE gm.member_type = 'Group' AND gm.org_id = $1
  )
  SELECT g.id AS value, g.display_name AS display, CASE WHEN bool_or(m.direct) THEN 'direct' ELSE 'indirect' END AS type
    FROM memberships m JOIN groups g ON g.id = m.id AND g.source = 'scim'
   GROUP BY g.id, g.display_name ORDER BY g.display_name, g.id`;

type GroupRefRow = UserGroupRef & { nested?: boolean };

/** Completes `groups` with indirect memberships for the users whose groups are nested. */
async function withIndirectGroups(q: Queryable, rows: UserRow[]): Promise<void> {
  for (const row of rows) {
    const refs = row.groups as GroupRefRow[] | null | undefined;
    if (refs?.some((g) => g.nested)) {
      row.groups = (await q.query<UserGroupRef>(ALL_GROUPS, [row.org_id, row.id])).rows;
    } else if (refs) {
      row.groups = refs.map(({ value, display, type }) => ({ value, display, type }));
    }
  }
}

function toRecord(row: UserRow): UserRecord {
  return {
    orgId: row.org_id,
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    active: row.active,
    displayName: row.display_name,
    attributes: row.attributes ?? {},
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.groups ? { groups: row.groups } : {}),
  };
}

/**
 * Where each User attribute lives, for filters and sorting. `cat` is the organization's catalogue:
 * a registered extension's attributes live under its URN in the attributes document, as the
 * Enterprise User extension's do.
 */
export function userStorage(path: string, cat: ResourceCatalogue = catalogue('User')): Storage | undefined {
  const resolved = resolvePath(cat, path);
  if (!resolved) return undefined;
  const { attr, sub } = resolved;
  // A value never returned (a registered writeOnly attribute) is not filtered or sorted on either:
  // a filter would read it back one guess at a time.
  if (attr.returned === 'never' || sub?.returned === 'never') return undefined;
  const name = attr.name.toLowerCase();
  if (!resolved.extension) {
    if (name === 'id') return { kind: 'scalar', expr: 'u.id', type: 'uuid', caseExact: true, json: false };
    if (name === 'username')
      return { kind: 'scalar', expr: 'u.user_name', type: 'string', caseExact: false, json: false };
    if (name === 'externalid')
      return { kind: 'scalar', expr: 'u.external_id', type: 'string', caseExact: true, json: false };
    if (name === 'active') return { kind: 'scalar', expr: 'u.active', type: 'boolean', caseExact: false, json: false };
    if (name === 'displayname')
      return { kind: 'scalar', expr: 'u.display_name', type: 'string', caseExact: false, json: false };
    if (name === 'meta') return metaStorage('u', 'User', sub?.name);
    if (name === 'groups') return groupsStorage(sub?.name);
    if (name === 'password' || name === 'schemas') return undefined;
    return jsonStorage('u.attributes', attr, sub);
  }
  return jsonStorage(`(u.attributes->${literal(resolved.schema)})`, attr, sub);
}

/** A user's direct groups as elements with `value` and `display`, as `members` is stored for groups. */
function groupsStorage(sub: string | undefined): Storage | undefined {
  const column = (name: string | undefined) =>
    name === undefined || name === 'value' ? 'value' : name === 'display' ? 'display' : undefined;
  if (!column(sub?.toLowerCase())) return undefined;
  const def = catalogue('User').core.attributes.get('groups')!;
  return {
    kind: 'elements',
    def,
    from: (alias) =>
      `(SELECT g.id::text AS value, g.display_name AS display FROM group_members gm JOIN groups g ON g.id = gm.group_id AND g.source = 'scim'
         WHERE gm.member_id = u.id AND gm.org_id = u.org_id) AS ${alias}`,
    element: (alias, s) => {
      const name = column((s?.name ?? sub)?.toLowerCase());
      return name
        ? { kind: 'scalar', expr: `${alias}.${name}`, type: 'string', caseExact: false, json: false }
        : undefined;
    },
  };
}

export async function insertUser(
  q: Queryable,
  orgId: string,
  id: string,
  fields: UserFields,
  at: Date,
): Promise<UserRecord> {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO users AS u (org_id, id, user_name, external_id, active, display_name, attributes, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${COLUMNS}`,
    [
      orgId,
      id,
      fields.userName,
      fields.externalId,
      fields.active,
      fields.displayName,
      JSON.stringify(fields.attributes),
      at,
    ],
  );
  return toRecord(rows[0]!);
}

/**
 * `forUpdate` locks the row as deleting it would (FOR UPDATE: a group adding the user as a member
 * waits, see groups-store classifyMembers); `forChange` locks it to change its fields (FOR NO KEY
 * UPDATE: concurrent changes to the user serialize, group membership changes go on).
 */
export async function findUser(
  q: Queryable,
  orgId: string,
  id: string,
  options: { withGroups?: boolean; forUpdate?: boolean; forChange?: boolean } = {},
): Promise<UserRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const lock = options.forUpdate ? ' FOR UPDATE' : options.forChange ? ' FOR NO KEY UPDATE' : '';
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS}${options.withGroups ? GROUPS_COLUMN : ''} FROM users u WHERE u.org_id = $1 AND u.id = $2${lock}`,
    [orgId, id],
  );
  if (options.withGroups) await withIndirectGroups(q, rows);
  return rows[0] && toRecord(rows[0]);
}

export async function updateUser(
  q: Queryable,
  orgId: string,
  id: string,
  fields: UserFields,
  at: Date,
): Promise<UserRecord | undefined> {
  const { rows } = await q.query<UserRow>(
    `UPDATE users u SET user_name = $3, external_id = $4, active = $5, display_name = $6, attributes = $7,
            version = version + 1, updated_at = $8
      WHERE u.org_id = $1 AND u.id = $2 RETURNING ${COLUMNS}`,
    [
      orgId,
      id,
      fields.userName,
      fields.externalId,
      fields.active,
      fields.displayName,
      JSON.stringify(fields.attributes),
      at,
    ],
  );
  return rows[0] && toRecord(rows[0]);
}

/** Deletes the user (the caller has taken it out of its groups first); returns whether it existed. */
export async function deleteUser(q: Queryable, orgId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { rowCount } = await q.query('DELETE FROM users WHERE org_id = $1 AND id = $2', [orgId, id]);
  return rowCount > 0;
}

export interface UserListQuery {
  filter?: FilterNode;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
  withGroups: boolean;
  /** The organization's User catalogue (registered extensions); the built-in one when absent. */
  catalogue?: ResourceCatalogue;
}

/** Users as one of the resource types of a list across types (db/list-sql listAcross). */
export function userListSource(cat?: ResourceCatalogue): ListSource {
  return { resourceType: 'User', table: 'users u', storage: (path) => userStorage(path, cat) };
}

export async function listUsers(q: Queryable, orgId: string, query: UserListQuery): Promise<ListResult<UserRecord>> {
  const { rows, total } = await listRows<UserRow, UserRow>(q, {
    table: 'users u',
    columns: `${COLUMNS}${query.withGroups ? GROUPS_COLUMN : ''}`,
    orgId,
    filter: query.filter,
    storage: (path) => userStorage(path, query.catalogue),
    sort: query.sort,
    window: query.window,
    map: (row) => row,
  });
  if (query.withGroups) await withIndirectGroups(q, rows);
  return { rows: rows.map(toRecord), total };
}

/** Finds which of `ids` are users of this organization. */
export async function existingUserIds(q: Queryable, orgId: string, ids: string[]): Promise<Set<string>> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return new Set();
  const { rows } = await q.query<{ id: string }>('SELECT id FROM users WHERE org_id = $1 AND id = ANY($2::uuid[])', [
    orgId,
    valid,
  ]);
  return new Set(rows.map((r) => r.id));
}

export interface UserSummaryRow {
  id: string;
  user_name: string;
  display_name: string | null;
  external_id: string | null;
  active: boolean | null;
  /** The groups the user is directly in, by name. */
  groups: { id: string; displayName: string }[];
}

/** Users for admin pickers and the Users page: search by userName, displayName or externalId, in userName order. */
export async function searchUsers(
  q: Queryable,
  orgId: string,
  query: { text?: string; after?: { name: string; id: string }; limit: number },
): Promise<UserSummaryRow[]> {
  const params: unknown[] = [orgId];
  const where = ['u.org_id = $1'];
  if (query.text) {
    params.push(containsPattern(query.text));
    where.push(
      `(u.user_name ILIKE $${params.length} OR u.display_name ILIKE $${params.length} OR u.external_id ILIKE $${params.length})`,
    );
  }
  if (query.after) {
    params.push(query.after.name, query.after.id);
    where.push(`(lower(u.user_name), u.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(query.limit);
  const { rows } = await q.query<UserSummaryRow>(
    `SELECT u.id, u.user_name, u.display_name, u.external_id, u.active,
            (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', g.id, 'displayName', g.display_name)
                      ORDER BY g.display_name, g.id), '[]'::jsonb)
               FROM group_members gm JOIN groups g ON g.id = gm.group_id AND g.org_id = gm.org_id
              WHERE gm.member_id = u.id AND gm.org_id = u.org_id) AS groups
       FROM users u WHERE ${where.join(' AND ')}
      ORDER BY lower(u.user_name), u.id LIMIT $${params.length}`,
    params,
  );
  return rows;
}

// ---- batched point reads (see db/batch-loader.ts) ------------------------------------------

export type UserLookupColumn = 'user_name' | 'external_id';

/** `userName eq "x"` or `externalId eq "x"`: the lookups identity providers make before every write. */
export function userLookup(filter: FilterNode | undefined): { column: UserLookupColumn; value: string } | undefined {
  if (filter?.kind !== 'compare' || filter.op !== 'eq' || filter.value === null || typeof filter.value === 'boolean')
    return undefined;
  const resolved = resolvePath(catalogue('User'), filter.path);
  if (!resolved || resolved.extension || resolved.sub) return undefined;
  const name = resolved.attr.name.toLowerCase();
  const column = name === 'username' ? 'user_name' : name === 'externalid' ? 'external_id' : undefined;
  return column ? { column, value: String(filter.value) } : undefined;
}

/** Users by id, many at once. */
export async function findUsersByIds(
  q: Queryable,
  orgId: string,
  ids: string[],
  withGroups: boolean,
): Promise<Map<string, UserRecord>> {
  const valid = ids.filter(isUuid);
  if (!valid.length) return new Map();
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS}${withGroups ? GROUPS_COLUMN : ''} FROM users u WHERE u.org_id = $1 AND u.id = ANY($2::uuid[])`,
    [orgId, valid],
  );
  if (withGroups) await withIndirectGroups(q, rows);
  return new Map(rows.map((r) => [r.id, toRecord(r)]));
}

/**
 * The first `limit` users matching each value (in the default order) and how many match in all,
 * for many values at once. userName compares case-insensitively (RFC 7643 §4.1.1), externalId exactly.
 */
export async function findUsersBy(
  q: Queryable,
  orgId: string,
  column: UserLookupColumn,
  values: string[],
  options: { withGroups: boolean; limit: number },
): Promise<Map<string, { rows: UserRecord[]; total: number }>> {
  const match = column === 'user_name' ? 'lower(u.user_name) = lower(k.key)' : 'u.external_id = k.key';
  const { rows } = await q.query<UserRow & { key: string; total: number }>(
    `SELECT k.key, x.* FROM unnest($2::text[]) AS k(key)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS}${options.withGroups ? GROUPS_COLUMN : ''}, count(*) OVER () AS total
           FROM users u WHERE u.org_id = $1 AND ${match}
          ORDER BY u.created_at, u.id LIMIT $3) x`,
    [orgId, values, options.limit],
  );
  if (options.withGroups) await withIndirectGroups(q, rows);
  const out = new Map<string, { rows: UserRecord[]; total: number }>();
  for (const row of rows) {
    const entry = out.get(row.key) ?? { rows: [], total: Number(row.total) };
    entry.rows.push(toRecord(row));
    out.set(row.key, entry);
  }
  return out;
}

/** The SCIM attributes a sign-in may match its claim against (issue 11). */
export type SignInAttribute = 'userName' | 'externalId' | 'emails';

/**
 * Users whose `attribute` equals `value`, case-insensitively (at most two: more than one match is
 * ambiguous and refused by the caller). `emails` matches any of the user's e-mail values.
 */
export async function findUsersForSignIn(
  q: Queryable,
  orgId: string,
  attribute: SignInAttribute,
  value: string,
): Promise<UserRecord[]> {
  const match =
    attribute === 'userName'
      ? 'lower(u.user_name) = lower($2)'
      : attribute === 'externalId'
        ? 'lower(u.external_id) = lower($2)'
        : `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.attributes->'emails') = 'array'
             THEN u.attributes->'emails' ELSE '[]'::jsonb END) e WHERE lower(e->>'value') = lower($2))`;
  const { rows } = await q.query<UserRow>(
    `SELECT ${COLUMNS} FROM users u WHERE u.org_id = $1 AND ${match} ORDER BY u.created_at, u.id LIMIT 2`,
    [orgId, value],
  );
  return rows.map(toRecord);
}

/**
 * Checks that a filter can be asked of users (`GET /Users?filter=`): every attribute it names is a
 * User attribute, every value fits its type. Throws the same invalidFilter error that request would.
 */
export function checkUserFilter(filter: FilterNode, cat?: ResourceCatalogue): void {
  compileFilter(filter, (path) => userStorage(path, cat), new SqlParams(['', '']));
}

/**
 * Whether each filter matches one user, decided by the very SQL `GET /Users?filter=` runs (listRows:
 * `WHERE <filter>`, where NULL is no match, hence `IS TRUE`). A missing user matches nothing.
 */
export async function userMatches(
  q: Queryable,
  orgId: string,
  userId: string,
  filters: FilterNode[],
  cat?: ResourceCatalogue,
): Promise<boolean[]> {
  if (!filters.length) return [];
  if (!isUuid(userId)) return filters.map(() => false);
  const params = new SqlParams([orgId, userId]);
  const storage = (path: string) => userStorage(path, cat);
  const columns = filters.map((f, i) => `((${compileFilter(f, storage, params)}) IS TRUE) AS c${i}`);
  const { rows } = await q.query<Record<string, boolean>>(
    `SELECT ${columns.join(', ')} FROM users u WHERE u.org_id = $1 AND u.id = $2`,
    params.values,
  );
  const row = rows[0];
  return filters.map((_, i) => row?.[`c${i}`] === true);
}
