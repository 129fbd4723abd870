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

/** A path none of whose segments can be a token: short segments, no `ksk_`, no JWS header, no escapes. */
const PLAINLY_NO_TOKEN = /^(?:\/[^/%]{0,31})*$/;
const TOKEN_MARKS = /ksk_|eyJ/i;

/** The path as logged: a segment that may be a token (pasted where an id goes) is replaced. */
export function pathForLog(path: string, authorization: string | undefined): string {
  // Most paths (every request to /api/v1/authorize) are short words: nothing to look at per segment.
  if (PLAINLY_NO_TOKEN.test(path) && !TOKEN_MARKS.test(path)) return path;
  return path
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

/** Called once per request when its response is sent: the metrics, beside the log line. */
export type FinishedObserver = (req: Request, res: Response, seconds: number) => void;

/**
 * Gives every request an id (a caller's X-Request-Id when it is safe to echo) and, when it ends,
 * logs one line and tells `onFinished` (one listener and one clock reading for both).
 */
export function requestContext(
  logger: Logger,
  onFinished?: FinishedObserver,
  options: { readsForwardedFor?: boolean } = {},
) {
  // Without TRUST_PROXY, req.ip is the connection's address: Express would parse X-Forwarded-For on
  // every request only to ignore it.
  const clientAddress = options.readsForwardedFor
    ? (req: Request) => req.ip
    : (req: Request) => req.socket.remoteAddress;
  return function requestContextMiddleware(req: Request, res: Response, next: NextFunction) {
    const incoming = req.headers['x-request-id'];
    req.id =
      typeof incoming === 'string' && isSafeRequestId(incoming, req.headers.authorization) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      onFinished?.(req, res, seconds);
      // Health probes that succeed are debug: one every few seconds per balancer would drown the rest.
      const level = res.statusCode >= 500 ? 'error' : HEALTH_PATHS.has(pathOf(req)) ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      // The path only: query strings and headers are never logged. `client` is the address the
      // failure limit counts (after TRUST_PROXY), so an operator can see who was limited. Behind
      // TRUST_PROXY it comes from X-Forwarded-For, which a client reaching keyscope directly writes
      // itself: only an address is logged, never whatever else (a token) it put there.
      const address = clientAddress(req);
      // A socket's address is one; a forwarded entry (TRUST_PROXY) may be anything its sender wrote.
      const client =
        address !== undefined && (!options.readsForwardedFor || isIP(address)) ? address : 'not-an-address';
      logger[level](
        {
          reqId: req.id,
          client,
          method: req.method,
          path: pathForLog(pathOf(req), req.headers.authorization),
          status: res.statusCode,
          ms: Math.round(seconds * 10_000) / 10,
        },
        'request',
      );
    });
    next();
  };
}
