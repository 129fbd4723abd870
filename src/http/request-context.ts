import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HEALTH_PATHS } from './health-routes.js';
import { pathOf } from './request-path.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/** A JWS in compact form (RFC 7515 §7.1), such as the tokens POST /api/v1/token issues: `eyJ…` header first. */
const COMPACT_JWS = /eyJ[\w-]*\.[\w-]+\./;

/**
 * Whether a value a client sent may be a token: a key in keyscope's form, a signed token, or the
 * request's own credential.
 */
function mayBeToken(value: string, authorization: string | undefined): boolean {
  // Every token is at least 32 characters: shorter values cannot be one, whatever the header holds.
  return (
    /ksk_/i.test(value) || COMPACT_JWS.test(value) || (value.length >= 32 && (authorization ?? '').includes(value))
  );
}

/** Logged, echoed and audited, so never a token. */
function isSafeRequestId(id: string, authorization: string | undefined): boolean {
  return SAFE_REQUEST_ID.test(id) && !mayBeToken(id, authorization);
}

/** The path as logged: a segment that may be a token (pasted where an id goes) is replaced. */
function loggedPath(req: Request): string {
  const authorization = req.get('authorization');
  return pathOf(req)
    .split('/')
    .map((segment) => (mayBeToken(decodeSegment(segment), authorization) ? '[redacted]' : segment))
    .join('/');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Gives every request an id (a caller's X-Request-Id when it is safe to echo) and logs one line when it ends. */
export function requestContext(logger: Logger) {
  return function requestContextMiddleware(req: Request, res: Response, next: NextFunction) {
    const incoming = req.get('x-request-id');
    req.id = incoming && isSafeRequestId(incoming, req.get('authorization')) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // Health probes that succeed are debug: one every few seconds per balancer would drown the rest.
      const level = res.statusCode >= 500 ? 'error' : HEALTH_PATHS.has(pathOf(req)) ? 'debug' : 'info';
      // The path only: query strings and headers are never logged. `client` is the address the
      // failure limit counts (after TRUST_PROXY), so an operator can see who was limited. Behind
      // TRUST_PROXY it comes from X-Forwarded-For, which a client reaching keyscope directly writes
      // itself: only an address is logged, never whatever else (a token) it put there.
      const client = req.ip !== undefined && isIP(req.ip) ? req.ip : 'not-an-address';
      logger[level](
        {
          reqId: req.id,
          client,
          method: req.method,
          path: loggedPath(req),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
}
