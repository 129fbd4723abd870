import { invalid } from '../errors/domain-error.js';
import type { FilterNode } from '../schema/filter-ast.js';
import type { Queryable } from './db.js';
import { absentStorage, compileFilter, typedExpr, type Storage, type StorageResolver } from './filter-sql.js';
import { SqlParams, literal } from './sql-params.js';

/** Paging for list queries: an offset (SCIM startIndex) or a keyset position after a row (cursor). */
export interface ListWindow {
  offset?: number;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export interface SortSpec {
  storage: Storage;
  descending: boolean;
}

/** ORDER BY for a sort attribute, always ending in (created_at, id) so pages are stable. */
export function orderBy(alias: string, sort: SortSpec | undefined, path?: string): string {
  const tail = `${alias}.created_at, ${alias}.id`;
  if (!sort) return tail;
  return `${sortKey(sort.storage, path)} ${sort.descending ? 'DESC' : 'ASC'} NULLS LAST, ${tail}`;
}

/**
 * The value a row sorts by (RFC 7644 §3.4.2.3): strings case-folded unless case-exact; numbers and
 * date-times kept in JSON by their value (typedExpr), not their text.
 */
function sortKey(s: Storage, path: string | undefined): string {
  if (s.kind === 'scalar') return s.caseExact || s.type !== 'string' ? typedExpr(s) : `lower(${s.expr})`;
  if (s.kind === 'elements') {
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else the first one;
    // rows of a subquery (a user's groups, a group's members) have no order: the least value then.
    const value = s.element('srt', undefined);
    if (!value) throw invalid(`sortBy "${path}" has no value to sort by`, 'invalidValue');
    const key = value.caseExact || value.type !== 'string' ? typedExpr(value) : `lower(${value.expr})`;
    return s.json
      ? `(SELECT ${key} FROM ${s.from('srt')} ORDER BY (srt.el->>'primary') = 'true' DESC NULLS LAST LIMIT 1)`
      : `(SELECT min(${key}) FROM ${s.from('srt')})`;
  }
  throw invalid(`sortBy "${path}" is complex; sort by one of its sub-attributes`, 'invalidValue');
}

export interface ListResult<T> {
  rows: T[];
  total: number;
}

export interface ListRowsSpec<R, T> {
  /** `<table> <alias>`; the alias must be the first letter used in columns and storage (u, g). */
  table: string;
  columns: string;
  orgId: string;
  /** A fixed condition of our own (never client input). */
  extraWhere?: string;
  filter?: FilterNode;
  storage: (path: string) => Storage | undefined;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
  map: (row: R) => T;
}

export async function listRows<R, T>(q: Queryable, spec: ListRowsSpec<R, T>): Promise<ListResult<T>> {
  const alias = spec.table.split(' ')[1]!;
  const params = new SqlParams([spec.orgId]);
  const where = [`${alias}.org_id = $1`];
  if (spec.extraWhere) where.push(spec.extraWhere);
  if (spec.filter) where.push(compileFilter(spec.filter, spec.storage, params));
  const countParams = params.values.slice();
  const sortStorage = spec.sort ? spec.storage(spec.sort.path) : undefined;
  if (spec.sort && !sortStorage)
    throw invalid(`sortBy "${spec.sort.path}" is not an attribute of this resource`, 'invalidValue');
  const sort: SortSpec | undefined =
    spec.sort && sortStorage ? { storage: sortStorage, descending: spec.sort.descending } : undefined;
  const pageWhere = [...where];
  if (spec.window.after) {
    pageWhere.push(
      `(${alias}.created_at, ${alias}.id) > (${params.add(spec.window.after.createdAt)}::timestamptz, ${params.add(spec.window.after.id)}::uuid)`,
    );
  }
  const sql = `SELECT ${spec.columns} FROM ${spec.table} WHERE ${pageWhere.join(' AND ')}
                ORDER BY ${orderBy(alias, sort, spec.sort?.path)}
                LIMIT ${params.add(spec.window.limit)} OFFSET ${params.add(spec.window.offset ?? 0)}`;
  const { rows } = await q.query<R>(sql, params.values);
  const offset = spec.window.offset ?? 0;
  // A short page tells the total by itself (the common case: an identity provider's eq lookup);
  // only a full page, a page past the end, or a cursor page needs counting.
  const total =
    !spec.window.after && rows.length < spec.window.limit && (rows.length > 0 || offset === 0)
      ? offset + rows.length
      : (
          await q.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${spec.table} WHERE ${where.join(' AND ')}`,
            countParams,
          )
        ).rows[0]!.n;
  return { rows: rows.map(spec.map), total };
}

/** One resource type of a list across types: its table (`<table> <alias>`), its rows, where its attributes live. */
export interface ListSource {
  resourceType: string;
  table: string;
  /** A fixed condition of our own (never client input). */
  extraWhere?: string;
  storage: StorageResolver;
}

/** A row of a list across resource types: which type, which resource. */
export interface SourceRow {
  resourceType: string;
  id: string;
  createdAt: Date;
}

export interface ListAcrossSpec {
  orgId: string;
  sources: readonly ListSource[];
  filter?: FilterNode;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
}

/**
 * A list over several resource types at once (RFC 7644 §3.4.2.1, a query on the root), in one
 * query: the UNION ALL of each type's matching rows, ordered and paged like listRows (by the sort
 * value, then created_at and id, which are unique across types), with the sum of the counts as total.
 * "For filtered attributes that are not part of a particular resource type, the service provider
 * SHALL treat the attribute as if there is no attribute value": an attribute only some types have
 * is compiled, for the others, as absent (absentStorage). One no type has is invalidFilter.
 */
export async function listAcross(q: Queryable, spec: ListAcrossSpec): Promise<ListResult<SourceRow>> {
  const params = new SqlParams([spec.orgId]);
  const resolverOf =
    (source: ListSource): StorageResolver =>
    (path) => {
      const own = source.storage(path);
      if (own) return own;
      for (const other of spec.sources) {
        const elsewhere = other === source ? undefined : other.storage(path);
        if (elsewhere) return absentStorage(elsewhere);
      }
      return undefined;
    };
  if (spec.sort && !spec.sources.some((s) => s.storage(spec.sort!.path)))
    throw invalid(`sortBy "${spec.sort.path}" is not an attribute of any resource type`, 'invalidValue');
  const branches = spec.sources.map((source) => {
    const alias = source.table.split(' ')[1]!;
    const resolve = resolverOf(source);
    const where = [`${alias}.org_id = $1`];
    if (source.extraWhere) where.push(source.extraWhere);
    if (spec.filter) where.push(compileFilter(spec.filter, resolve, params));
    const key = spec.sort ? sortKey(resolve(spec.sort.path)!, spec.sort.path) : 'NULL';
    return {
      page: `SELECT ${literal(source.resourceType)} AS resource_type, ${alias}.id, ${alias}.created_at, ${key} AS sort_key
               FROM ${source.table} WHERE ${where.join(' AND ')}`,
      count: `(SELECT count(*)::int FROM ${source.table} WHERE ${where.join(' AND ')})`,
    };
  });
  const countParams = params.values.slice();
  const after = spec.window.after
    ? `WHERE (r.created_at, r.id) > (${params.add(spec.window.after.createdAt)}::timestamptz, ${params.add(spec.window.after.id)}::uuid)`
    : '';
  const direction = spec.sort?.descending ? 'DESC' : 'ASC';
  const sql = `SELECT r.resource_type, r.id, r.created_at FROM (${branches.map((b) => b.page).join(' UNION ALL ')}) r ${after}
                ORDER BY ${spec.sort ? `r.sort_key ${direction} NULLS LAST, ` : ''}r.created_at, r.id
                LIMIT ${params.add(spec.window.limit)} OFFSET ${params.add(spec.window.offset ?? 0)}`;
  const { rows } = await q.query<{ resource_type: string; id: string; created_at: Date }>(sql, params.values);
  const offset = spec.window.offset ?? 0;
  const total =
    !spec.window.after && rows.length < spec.window.limit && (rows.length > 0 || offset === 0)
      ? offset + rows.length
      : (await q.query<{ n: number }>(`SELECT ${branches.map((b) => b.count).join(' + ')} AS n`, countParams)).rows[0]!
          .n;
  return { rows: rows.map((r) => ({ resourceType: r.resource_type, id: r.id, createdAt: r.created_at })), total };
}
