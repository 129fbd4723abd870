import type { Request } from 'express';

/** The request's full path without its query string (routers rewrite req.url to their mount point). */
export function pathOf(req: Request): string {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
