import { LIST_RESPONSE_SCHEMA } from '../schema/scimmy.js';
import { cursorFor, type ListParams } from './list-params.js';

/**
 * ListResponse (RFC 7644 §3.4.2; RFC 9865 §2.2 for cursors). `Resources` is always present, even
 * empty: Microsoft's collection checks `Resources` equals [].
 */
export function listResponse<T extends { createdAt: Date; id: string }>(
  params: ListParams,
  rows: T[],
  total: number,
  render: (row: T) => Record<string, unknown>,
): Record<string, unknown> {
  if (params.cursorMode) {
    const page = rows.slice(0, params.count);
    const more = rows.length > params.count;
    const last = page[page.length - 1];
    const offset = (params.window.offset ?? 0) + page.length;
    const nextCursor =
      more && last
        ? cursorFor(params.queryKey, params.sort ? { offset } : { after: { createdAt: last.createdAt, id: last.id } })
        : undefined;
    return {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: total,
      itemsPerPage: page.length,
      ...(nextCursor ? { nextCursor } : {}),
      Resources: page.map(render),
    };
  }
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    itemsPerPage: rows.length,
    startIndex: params.startIndex,
    Resources: rows.map(render),
  };
}
