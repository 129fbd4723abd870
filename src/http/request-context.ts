import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { pathOf } from './request-path.js';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/** Logged, echoed and audited, so never a token: not one in keyscope's form, not the request's own credential. */
function isSafeRequestId(id: string, authorization: string | undefined): boolean {
  // Every token is at least 32 characters: shorter ids cannot be one, whatever the header holds.
  return SAFE_REQUEST_ID.test(id) && !/^ksk_/i.test(id) && !(id.length >= 32 && (authorization ?? '').includes(id));
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
      const level = res.statusCode >= 500 ? 'error' : 'info';
      // The path only: query strings and headers are never logged. `client` is the address the
      // failure limit counts (after TRUST_PROXY), so an operator can see who was limited. Behind
      // TRUST_PROXY it comes from X-Forwarded-For, which a client reaching keyscope directly writes
      // itself: only an address is logged, never whatever else (a token) it put there.
      const client = req.ip !== undefined && isIP(req.ip) ? req.ip : 'not-an-address';
      logger[level]({ reqId: req.id, client, method: req.method, path: pathOf(req), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
