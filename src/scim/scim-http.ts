import type { Request, Response } from 'express';
import type { Precondition } from '../audit/audit.js';
import { SCIM_CONTENT_TYPE } from '../http/error-handler.js';

/** SCIM responses are application/scim+json (RFC 7644 §3.1). Written in one call: this is every read's exit. */
export function sendScim(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.statusCode = status;
  res.end(text);
}

declare module 'express-serve-static-core' {
  interface Request {
    scimBase?: string;
  }
}

/** Remembers where /scim/v2 is mounted, before sub-routers change req.baseUrl. */
export function rememberScimBase(req: Request, _res: Response, next: () => void): void {
  req.scimBase = req.baseUrl;
  next();
}

/** The absolute base of resource locations, e.g. https://host/scim/v2 (honours TRUST_PROXY). */
export function scimBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.scimBase ?? req.baseUrl}`;
}

function entityTags(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, ''));
}

/** If-Match (RFC 7232 §3.1, weak comparison as RFC 7644 §3.14 uses weak tags): undefined when absent. */
export function ifMatch(req: Request): Precondition | undefined {
  const header = req.get('if-match');
  if (!header) return undefined;
  const tags = entityTags(header);
  return (version) => tags.includes('*') || tags.includes(`"${version}"`);
}

/** If-None-Match on GET: true when the client already holds this version (answer 304). */
export function notModified(req: Request, version: number): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  const tags = entityTags(header);
  return tags.includes('*') || tags.includes(`"${version}"`);
}

/** Prefer: return=minimal (RFC 7240) asks for 204 instead of the resource. */
export function prefersMinimal(req: Request): boolean {
  return /(^|[,\s])return\s*=\s*"?minimal"?/i.test(req.get('prefer') ?? '');
}
