import { invalid } from '../errors/domain-error.js';
import type { FilterNode } from '../schema/filter-ast.js';
import type { Queryable } from './db.js';
import { compileFilter, type Storage } from './filter-sql.js';
import { SqlParams } from './sql-params.js';

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
  const direction = sort.descending ? 'DESC' : 'ASC';
  const s = sort.storage;
  let expr: string;
  if (s.kind === 'scalar') {
    expr = s.caseExact || s.type !== 'string' ? s.expr : `lower(${s.expr})`;
  } else if (s.kind === 'elements') {
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else the first one;
    // rows of a subquery (a user's groups, a group's members) have no order: the least value then.
    const value = s.element('srt', undefined);
    if (!value) throw invalid(`sortBy "${path}" has no value to sort by`, 'invalidValue');
    const key = value.caseExact ? value.expr : `lower(${value.expr})`;
    expr = s.json
      ? `(SELECT ${key} FROM ${s.from('srt')} ORDER BY (srt.el->>'primary') = 'true' DESC NULLS LAST LIMIT 1)`
      : `(SELECT min(${key}) FROM ${s.from('srt')})`;
  } else {
    throw invalid(`sortBy "${path}" is complex; sort by one of its sub-attributes`, 'invalidValue');
  }
  return `${expr} ${direction} NULLS LAST, ${tail}`;
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
