import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DecisionCache, MAX_DECISION_TTL_MS } from './decision-cache.js';
import { KeyscopeClient, KeyscopeError } from './keyscope-client.js';

/** What `keyscopeAuth` leaves on `req.keyscope` when it lets a request through. */
export interface KeyscopeDecision {
  allowed: true;
  permission: string;
  resource?: string;
  /** The decision came from the cache (or a request already on its way), not a call of its own. */
  cached: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by keyscopeAuth on the requests it lets through. */
    keyscope?: KeyscopeDecision;
  }
}

export interface KeyscopeAuthOptions {
  /** keyscope's base URL (ignored when `client` is given). */
  url?: string;
  /** An existing client to share between middlewares (its timeout applies). */
  client?: KeyscopeClient;
  /** The permission every request must hold, e.g. `projects:read`. */
  permission: string;
  /** A resource id the permission must cover: fixed, or read from the request (`(req) => req.params.id`). */
  resource?: string | ((req: Request) => string | undefined);
  /**
   * How long a decision is reused for the same token, permission and resource, in ms. Default 500;
   * at most 1000 (larger values are clamped: keyscope's 1-second revocation promise); 0 turns it off.
   */
  cacheMs?: number;
  /** Decisions kept at most (least recently used go first). Default 10,000. */
  maxCacheEntries?: number;
  /** How long to wait for keyscope, in ms; after that the request is refused with 503. Default 2000. */
  timeoutMs?: number;
  /**
   * Send the caller's address (`req.ip`, as this app's own `trust proxy` setting reads it) to
   * keyscope as `X-Forwarded-For`. keyscope uses it only if its TRUST_PROXY trusts this service;
   * then failed authentications count per caller, not per service. Default true.
   */
  forwardClientAddress?: boolean;
  /**
   * Called when the request is refused for a reason that is not the caller's: keyscope unreachable,
   * too slow or failing (503), or the permission unknown to keyscope (500). Default: console.error.
   */
  onError?: (error: KeyscopeError, req: Request) => void;
}

export const DEFAULT_CACHE_MS = 500;
const DEFAULT_MAX_ENTRIES = 10_000;
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export type KeyscopeAuthHandler = RequestHandler & { readonly cache: DecisionCache; readonly client: KeyscopeClient };

/**
 * Express middleware: the caller's `Authorization: Bearer <key>` must hold `permission` (on
 * `resource`), as keyscope decides (`POST /api/v1/authorize` with that key). It answers
 *
 * - 401 when there is no bearer token, or keyscope refuses the token (`code`: `invalid_token`,
 *   `key_revoked`, `key_expired`, `owner_inactive`, …); 429 when keyscope rate-limits it;
 * - 403 `forbidden` with keyscope's reason when the key lacks the permission;
 * - 503 `keyscope_unavailable` when keyscope does not answer in time, cannot be reached or fails:
 *   it FAILS CLOSED, never letting a request through without a decision;
 * - 500 `authorization_misconfigured` when keyscope does not know the permission (a typo, or an
 *   application permission missing from its KEYSCOPE_PERMISSIONS);
 *
 * and otherwise calls `next()` with `req.keyscope` set. Errors are RFC 9457 problem details.
 */
export function keyscopeAuth(options: KeyscopeAuthOptions): KeyscopeAuthHandler {
  const { permission } = options;
  if (typeof permission !== 'string' || !permission || permission.length > 200)
    throw new TypeError('keyscopeAuth: permission must be a non-empty string of at most 200 characters');
  if (options.resource !== undefined && typeof options.resource !== 'string' && typeof options.resource !== 'function')
    throw new TypeError('keyscopeAuth: resource must be a string or a function of the request');
  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
  if (typeof cacheMs !== 'number' || !Number.isFinite(cacheMs) || cacheMs < 0)
    throw new TypeError(`keyscopeAuth: cacheMs must be 0 or more milliseconds (at most ${MAX_DECISION_TTL_MS} apply)`);
  let client = options.client;
  if (!client) {
    if (!options.url) throw new TypeError('keyscopeAuth: give keyscope url (or a client)');
    client = new KeyscopeClient({
      url: options.url,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  const keyscope = client;
  const cache = new DecisionCache({ ttlMs: cacheMs, maxEntries: options.maxCacheEntries ?? DEFAULT_MAX_ENTRIES });
  const resourceOf = options.resource;
  const forward = options.forwardClientAddress ?? true;
  const onError = options.onError ?? ((error: KeyscopeError) => console.error(`keyscopeAuth: ${error.message}`));

  async function keyscopeAuthMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    let resource: string | undefined;
    try {
      resource = typeof resourceOf === 'function' ? resourceOf(req) : resourceOf;
    } catch (error) {
      return next(error);
    }
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token) {
      return problem(res, 401, 'invalid_token', 'A bearer token is required: send Authorization: Bearer <key>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    let outcome: Awaited<ReturnType<DecisionCache['decide']>>;
    try {
      outcome = await cache.decide(token, permission, resource, () =>
        keyscope.authorize(token, permission, resource, forward && req.ip ? { clientAddress: req.ip } : {}),
      );
    } catch (error) {
      if (!(error instanceof KeyscopeError)) return next(error);
      const refusal = refusalOf(error);
      if (refusal.reportable) onError(error, req);
      return problem(res, refusal.status, refusal.code, refusal.detail, refusal.headers);
    }
    if (!outcome.decision.allowed) {
      return problem(res, 403, 'forbidden', outcome.decision.reason ?? `This key lacks the ${permission} permission`);
    }
    req.keyscope = {
      allowed: true,
      permission,
      ...(resource !== undefined ? { resource } : {}),
      cached: outcome.cached,
    };
    next();
  }

  return Object.assign(keyscopeAuthMiddleware as RequestHandler, { cache, client: keyscope });
}

function problem(res: Response, status: number, code: string, detail: string, headers: Record<string, string> = {}) {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/problem+json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, code }));
}

interface Refusal {
  status: number;
  code: string;
  detail: string;
  headers?: Record<string, string>;
  /** Not the caller's doing: the service's operators should hear of it (onError). */
  reportable?: boolean;
}

/** What the caller is told when keyscope gave no decision. */
function refusalOf(error: KeyscopeError): Refusal {
  if (error.status === 401) {
    const reason = error.code.replace(/[^a-z_]/g, '');
    return {
      status: 401,
      code: error.code,
      detail: error.message,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason}"` },
    };
  }
  if (error.status === 429)
    return {
      status: 429,
      code: error.code,
      detail: error.message,
      headers: { 'Retry-After': String(error.retryAfterSeconds ?? 60) },
    };
  if (error.code === 'unknown_permission')
    return {
      status: 500,
      code: 'authorization_misconfigured',
      detail: 'This service asks keyscope about a permission keyscope does not know',
      reportable: true,
    };
  if (error.status === 400 && !error.unavailable) return { status: 400, code: error.code, detail: error.message };
  // Unreachable, timed out, 5xx, an answer that is not keyscope's: no decision, so fail closed.
  return {
    status: 503,
    code: 'keyscope_unavailable',
    detail: 'Authorization is unavailable; retry shortly',
    headers: { 'Retry-After': '1' },
    reportable: true,
  };
}
