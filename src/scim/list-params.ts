import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../db/cursor.js';
import type { ListWindow } from '../db/list-sql.js';
import { isStorableTimestamp } from '../db/timestamp.js';
import { HttpError, badRequest } from '../http/http-error.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { parseFilter } from '../schema/filter-parser.js';
import type { ResourceCatalogue } from '../schema/catalogue.js';
import { parseProjection, type Projection } from './attributes/projection.js';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export interface ListParams {
  filter?: FilterNode;
  sort?: { path: string; descending: boolean };
  window: ListWindow;
  /** Index paging: the 1-based startIndex. Cursor paging (RFC 9865): undefined. */
  startIndex?: number;
  count: number;
  cursorMode: boolean;
  projection: Projection;
  /** Binds a cursor to the query it was issued for. */
  queryKey: string;
}

type Query = Record<string, unknown>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw badRequest(`Give ${name} once`, name === 'filter' ? 'invalidFilter' : 'invalidValue');
  return value;
}

function integer(query: Query, name: string): number | undefined {
  const raw = single(query, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^-?\d{1,9}$/.test(raw.trim())) throw badRequest(`${name} must be a whole number`, 'invalidValue');
  return Number(raw);
}

/** Reads list parameters (RFC 7644 §3.4.2, RFC 9865 §2). Unknown parameters (e.g. aadOptscim062020) are ignored. */
export function readListParams(query: Query, cat: ResourceCatalogue): ListParams {
  const filterText = single(query, 'filter');
  const filter = filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText) : undefined;
  const sortBy = single(query, 'sortBy');
  const sortOrder = single(query, 'sortOrder')?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw badRequest('sortOrder must be "ascending" or "descending"', 'invalidValue');
  }
  const sort = sortBy ? { path: sortBy, descending: sortOrder === 'descending' } : undefined;
  // RFC 7644 §3.4.2.4: count below 0 means 0; we cap it at MAX_COUNT.
  const count = Math.min(Math.max(integer(query, 'count') ?? DEFAULT_COUNT, 0), MAX_COUNT);
  const projection = parseProjection(cat, query);
  const queryKey = createHash('sha256')
    .update(JSON.stringify([cat.resourceType, filterText ?? '', sortBy ?? '', sortOrder ?? '']))
    .digest('base64url')
    .slice(0, 12);

  const cursor = single(query, 'cursor');
  if (cursor !== undefined) {
    if (query.startIndex !== undefined) throw badRequest('Use either startIndex or cursor, not both', 'invalidValue');
    const position = cursor === '' ? {} : positionOf(cursor, queryKey);
    return {
      filter,
      sort,
      count,
      cursorMode: true,
      projection,
      queryKey,
      window: { limit: count + 1, ...(position.after ? { after: position.after } : {}), offset: position.offset ?? 0 },
    };
  }
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1.
  const startIndex = Math.max(integer(query, 'startIndex') ?? 1, 1);
  return {
    filter,
    sort,
    count,
    startIndex,
    cursorMode: false,
    projection,
    queryKey,
    window: { limit: count, offset: startIndex - 1 },
  };
}

interface CursorPosition {
  after?: { createdAt: Date; id: string };
  offset?: number;
}

/**
 * Cursors are opaque to clients: the position after the last row (keyset on the default order) or,
 * with sortBy, an offset; either bound to the filter and sort it was issued for.
 */
export function cursorFor(queryKey: string, position: CursorPosition): string {
  const body = position.after
    ? { k: queryKey, a: [position.after.createdAt.toISOString(), position.after.id] }
    : { k: queryKey, o: position.offset };
  return encodeCursor(body);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positionOf(cursor: string, queryKey: string): CursorPosition {
  const invalid = () =>
    new HttpError(400, 'invalidCursor', 'The cursor is invalid or was issued for a different query', {
      scimType: 'invalidCursor',
    });
  const body = decodeCursor(cursor) as { k?: unknown; a?: unknown; o?: unknown } | null | undefined;
  if (typeof body !== 'object' || body === null || body.k !== queryKey) throw invalid();
  if (
    Array.isArray(body.a) &&
    typeof body.a[0] === 'string' &&
    typeof body.a[1] === 'string' &&
    UUID.test(body.a[1]) &&
    isStorableTimestamp(body.a[0])
  ) {
    return { after: { createdAt: new Date(body.a[0]), id: body.a[1] } };
  }
  if (typeof body.o === 'number' && Number.isSafeInteger(body.o) && body.o >= 0) return { offset: body.o };
  throw invalid();
}
