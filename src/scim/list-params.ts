import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor } from '../db/cursor.js';
import type { ListWindow } from '../db/list-sql.js';
import { isStorableTimestamp } from '../db/timestamp.js';
import { HttpError, badRequest, type ScimType } from '../http/http-error.js';
import type { FilterNode } from '../schema/filter-ast.js';
import { parseFilter } from '../schema/filter-parser.js';
import type { ResourceCatalogue } from '../schema/catalogue.js';
import { isPlainObject } from './attributes/coerce.js';
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
  /** `attributes` / `excludedAttributes` as comma lists, for a projection per resource type (root search). */
  selection: { attributes?: string; excludedAttributes?: string };
  /** Binds a cursor to the query it was issued for. */
  queryKey: string;
}

/** The list parameters (RFC 7644 §3.4.2), whether a query string or a SearchRequest body carried them. */
export interface ListInput {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: number;
  count?: number;
  cursor?: string;
  attributes?: string;
  excludedAttributes?: string;
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
  return listParams(
    {
      filter: single(query, 'filter'),
      sortBy: single(query, 'sortBy'),
      sortOrder: single(query, 'sortOrder'),
      startIndex: integer(query, 'startIndex'),
      count: integer(query, 'count'),
      cursor: single(query, 'cursor'),
      attributes: query.attributes as string | undefined,
      excludedAttributes: query.excludedAttributes as string | undefined,
    },
    cat.resourceType,
    cat,
  );
}

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/**
 * Reads a SearchRequest body (RFC 7644 §3.4.3): the GET parameters as JSON members, `attributes`
 * and `excludedAttributes` as lists of strings (RFC 9865 adds `cursor`). Member names are read in any
 * case; unknown members are ignored, as unknown query parameters are.
 */
export function readSearchRequest(body: unknown): ListInput {
  if (!isPlainObject(body)) throw badRequest('The body must be a SearchRequest JSON object', 'invalidSyntax');
  const fields = Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  const schemas = fields.schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())
  ) {
    throw badRequest(`A search body must list "${SEARCH_REQUEST_SCHEMA}" in schemas`, 'invalidSyntax');
  }
  const text = (name: string, scimType: ScimType = 'invalidValue'): string | undefined => {
    const value = fields[name.toLowerCase()];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw badRequest(`"${name}" must be a string`, scimType);
    return value;
  };
  const whole = (name: string): number | undefined => {
    const value = fields[name.toLowerCase()];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) >= 1e9)
      throw badRequest(`"${name}" must be a whole number`, 'invalidValue');
    return value;
  };
  const list = (name: string): string | undefined => {
    const value = fields[name.toLowerCase()];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw badRequest(`"${name}" must be a list of attribute names (strings)`, 'invalidValue');
    return value.join(',');
  };
  return {
    filter: text('filter', 'invalidFilter'),
    sortBy: text('sortBy'),
    sortOrder: text('sortOrder'),
    startIndex: whole('startIndex'),
    count: whole('count'),
    cursor: text('cursor'),
    attributes: list('attributes'),
    excludedAttributes: list('excludedAttributes'),
  };
}

/**
 * List parameters as the query runs them. `scope` names what is listed (a resource type, or the
 * root) and binds cursors to it; `cat` gives the projection (none for the root: one per type there).
 */
export function listParams(input: ListInput, scope: string, cat?: ResourceCatalogue): ListParams {
  const filterText = input.filter;
  const filter = filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText) : undefined;
  const sortBy = input.sortBy;
  const sortOrder = input.sortOrder?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw badRequest('sortOrder must be "ascending" or "descending"', 'invalidValue');
  }
  const sort = sortBy ? { path: sortBy, descending: sortOrder === 'descending' } : undefined;
  // RFC 7644 §3.4.2.4: count below 0 means 0; we cap it at MAX_COUNT.
  const count = Math.min(Math.max(input.count ?? DEFAULT_COUNT, 0), MAX_COUNT);
  const selection = {
    ...(input.attributes !== undefined ? { attributes: input.attributes } : {}),
    ...(input.excludedAttributes !== undefined ? { excludedAttributes: input.excludedAttributes } : {}),
  };
  const projection = cat ? parseProjection(cat, selection) : {};
  const queryKey = createHash('sha256')
    .update(JSON.stringify([scope, filterText ?? '', sortBy ?? '', sortOrder ?? '']))
    .digest('base64url')
    .slice(0, 12);

  const cursor = input.cursor;
  if (cursor !== undefined) {
    if (input.startIndex !== undefined) throw badRequest('Use either startIndex or cursor, not both', 'invalidValue');
    const position = cursor === '' ? {} : positionOf(cursor, queryKey);
    return {
      filter,
      sort,
      count,
      cursorMode: true,
      projection,
      selection,
      queryKey,
      window: { limit: count + 1, ...(position.after ? { after: position.after } : {}), offset: position.offset ?? 0 },
    };
  }
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1.
  const startIndex = Math.max(input.startIndex ?? 1, 1);
  return {
    filter,
    sort,
    count,
    startIndex,
    cursorMode: false,
    projection,
    selection,
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
