import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpError } from './http-error.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 64;
const JSON_TYPES = ['application/json', 'application/scim+json'];

/** Throws when JSON nests deeper than MAX_JSON_DEPTH, before JSON.parse can recurse on it. */
export function assertJsonDepth(buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new HttpError(400, 'invalidSyntax', `JSON nests deeper than ${MAX_JSON_DEPTH} levels`, {
          scimType: 'invalidSyntax',
        });
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** PostgreSQL cannot store U+0000 in text or jsonb; refuse it at the edge instead of failing later. */
export function assertNoNul(value: unknown): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000'))
      throw new HttpError(400, 'invalidValue', 'Strings may not contain the NUL character (U+0000)', {
        scimType: 'invalidValue',
      });
  } else if (Array.isArray(value)) {
    for (const item of value) assertNoNul(item);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assertNoNul(k);
      assertNoNul(v);
    }
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses JSON bodies sent as application/json or application/scim+json (RFC 7644 §3.1);
 * any other content type on a body is 415, over 1 MB 413, malformed JSON 400 invalidSyntax.
 */
export function jsonBody() {
  const parse = express.json({
    limit: BODY_LIMIT_BYTES,
    type: () => true,
    verify: (_req, _res, buf) => assertJsonDepth(buf),
  });
  return function jsonBodyMiddleware(req: Request, res: Response, next: NextFunction) {
    if (!hasBody(req)) return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPES.includes(type)) {
      return next(
        new HttpError(
          415,
          'unsupported_media_type',
          `Send the body as application/json or application/scim+json (got ${type || 'no Content-Type'})`,
        ),
      );
    }
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      try {
        assertNoNul(req.body);
      } catch (nul) {
        return next(nul);
      }
      next();
    });
  };
}
