import type { NextFunction, Request, Response } from 'express';
import type { AuthResult } from '../principals/auth-result.js';
import { can } from '../principals/permissions.js';
import type { Principal } from '../principals/principal.js';
import { requestContext, type RequestContext } from '../principals/request-context.js';
import { cookieValue, csrfMatches } from '../principals/session-token.js';
import { HttpError } from './http-error.js';
import { requestOrigin } from './origin.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * What the middleware asks of access/'s Authenticator: the synchronous answer for a token this
 * process already knows, else the full check (which may read the database and pay bcrypt).
 */
export interface TokenAuthenticator {
  authenticateCached(authorization: string | undefined): AuthResult | undefined;
  /** A known key's principal when it is accepted now, else undefined with no failure counted. */
  acceptedCached(authorization: string | undefined): Principal | undefined;
  authenticate(
    authorization: string | undefined,
    clientAddress: string,
    options?: { signedTokens?: { origin: string } },
  ): Promise<AuthResult>;
}

/** What the middleware asks of access/'s SessionAuthenticator for the sign-in cookie. */
export interface SessionCookieAuthenticator {
  authenticateCached(secret: string): AuthResult | undefined;
  authenticate(secret: string): Promise<AuthResult>;
}

export interface AuthenticateOptions {
  /** Paths (below the mount point) that also accept keyscope's own signed tokens: /me and /authorize. */
  signedTokenPaths?: readonly string[];
  /** Accept a sign-in session's cookie (named `cookieName`) when there is no Authorization header. */
  sessions?: { authenticator: SessionCookieAuthenticator; cookieName: string };
}

/** RFC 9110 §9.2.1: the methods that change nothing, which a cross-site form cannot abuse. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves `Authorization: Bearer <key>` to a principal, or answers 401/429 with the reason code (DESIGN §7). */
export function authenticate(authenticator: TokenAuthenticator, options: AuthenticateOptions = {}) {
  return function authenticateMiddleware(req: Request, _res: Response, next: NextFunction) {
    const header = req.headers.authorization;
    // A browser sends the cookie on its own, so a key in the header (which it never adds) wins.
    const sessions = options.sessions;
    const cookie = !header && sessions ? cookieValue(req.headers.cookie, sessions.cookieName) : undefined;
    if (sessions && cookie) {
      const cachedSession = sessions.authenticator.authenticateCached(cookie);
      if (cachedSession) return settleSession(cachedSession, req, next);
      return sessions.authenticator.authenticate(cookie).then((result) => settleSession(result, req, next));
    }
    // Most requests carry a key this process already knows: answer without a promise.
    const cached = authenticator.authenticateCached(header);
    if (cached) return settle(cached, req, next);
    const signed = options.signedTokenPaths?.includes(req.path) ? { signedTokens: { origin: requestOrigin(req) } } : {};
    return authenticator.authenticate(header, req.ip ?? 'unknown', signed).then((result) => settle(result, req, next));
  };
}

function settle(result: AuthResult, req: Request, next: NextFunction): void {
  if (!result.ok) {
    const headers: Record<string, string> =
      result.status === 429
        ? { 'Retry-After': String(result.retryAfterSeconds ?? 60) }
        : { 'WWW-Authenticate': `Bearer realm="keyscope", error="invalid_token", error_description="${result.code}"` };
    throw new HttpError(result.status, result.code, `${result.code}: ${result.message}`, { headers });
  }
  req.principal = result.principal;
  next();
}

/**
 * A session's request: authenticated like a key, and a state-changing one must also carry the
 * session's CSRF token in X-CSRF-Token (a header no other site can make a browser send).
 */
function settleSession(result: AuthResult, req: Request, next: NextFunction): void {
  if (
    result.ok &&
    !SAFE_METHODS.has(req.method) &&
    !csrfMatches(result.principal.session?.csrfToken ?? '', req.get('x-csrf-token'))
  ) {
    throw new HttpError(
      403,
      'csrf_failed',
      'csrf_failed: a request authenticated by the sign-in cookie must send X-CSRF-Token (the csrfToken of GET /api/v1/me)',
    );
  }
  settle(result, req, next);
}

/** The principal of an authenticated request (routes behind `authenticate` only). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new HttpError(401, 'invalid_token', 'invalid_token: authentication required');
  return req.principal;
}

export function requirePermission(permission: string) {
  return function requirePermissionMiddleware(req: Request, _res: Response, next: NextFunction) {
    if (!can(principalOf(req).grant, permission)) {
      throw new HttpError(403, 'forbidden', `This key lacks the ${permission} permission`);
    }
    next();
  };
}

/** The context every service call carries, for an authenticated request. */
export function contextOf(req: Request): RequestContext {
  return requestContext(principalOf(req), req.id);
}
