import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { contextOf, type TokenAuthenticator } from '../http/authenticate.js';
import { requestOrigin } from '../http/origin.js';
import { bearerOf } from '../http/bearer.js';
import { OAuthError, type OAuthErrorCode } from './tokens-errors.js';
import type { TokensService } from './tokens-service.js';
import { TokenRequestBody } from './tokens.js';

/** RFC 6749 §5.2: 400 for every error but a failed client authentication (401). */
const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
};

// A token request is a few short parameters.
const BODY_LIMIT = '16kb';

/**
 * POST /api/v1/token: RFC 8693 token exchange. Form-encoded as the RFC says (JSON accepted too);
 * the caller authenticates with its key as Bearer. Mounted before the admin API's JSON body parser
 * and authentication, because its answers, errors included, are OAuth's (RFC 6749 §5), not problem details.
 */
export function tokenRoutes(tokens: TokensService, authenticator: TokenAuthenticator): Router {
  const router = Router();
  router.post(
    '/',
    express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 20 }),
    express.json({ limit: BODY_LIMIT }),
    async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      if (!req.is(['application/x-www-form-urlencoded', 'application/json']))
        throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded (or JSON)');
      const header = req.headers.authorization;
      const result =
        authenticator.authenticateCached(header) ?? (await authenticator.authenticate(header, req.ip ?? 'unknown'));
      if (!result.ok) {
        if (result.status === 429) res.setHeader('Retry-After', String(result.retryAfterSeconds ?? 60));
        else res.setHeader('WWW-Authenticate', 'Bearer realm="keyscope", error="invalid_token"');
        res.status(result.status).json({
          error: 'invalid_client',
          error_description: `Authenticate with your API key as Bearer (${result.code}: ${result.message})`,
        });
        return;
      }
      req.principal = result.principal;
      const parsed = TokenRequestBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'body';
        throw new OAuthError('invalid_request', `${field}: ${issue?.message ?? 'invalid'}`);
      }
      res.json(await tokens.exchange(contextOf(req), bearerOf(header), parsed.data, requestOrigin(req)));
    },
  );
  router.use(oauthErrors);
  return router;
}

/** GET /.well-known/jwks.json and /.well-known/oauth-authorization-server: public, unauthenticated. */
export function wellKnownRoutes(tokens: TokensService): Router {
  const router = Router();
  router.get('/jwks.json', async (_req, res) => {
    // Short: a new key is published within seconds and verifiers should see it soon.
    res.setHeader('Cache-Control', 'public, max-age=10');
    res.type('application/jwk-set+json').send(JSON.stringify(await tokens.jwks()));
  });
  router.get('/oauth-authorization-server', (req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(tokens.metadata(requestOrigin(req)));
  });
  return router;
}

/** POST /api/v1/signing-keys/rotate (behind authentication; orgs:create). */
export function signingKeysRoutes(tokens: TokensService): Router {
  const router = Router();
  router.post('/rotate', async (req, res) => {
    res.json(await tokens.rotate(contextOf(req)));
  });
  return router;
}

/** RFC 6749 §5.2 error answers; body-parser failures are invalid_request too. */
function oauthErrors(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (error instanceof OAuthError) {
    res.setHeader('Cache-Control', 'no-store');
    if (error.error === 'invalid_client') res.setHeader('WWW-Authenticate', 'Bearer realm="keyscope"');
    res.status(STATUS[error.error]).json({ error: error.error, error_description: error.message });
    return;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.setHeader('Cache-Control', 'no-store');
    res.status(status === 413 ? 413 : 400).json({
      error: 'invalid_request',
      error_description:
        status === 413 ? `The request body is larger than ${BODY_LIMIT}` : 'The request body could not be read',
    });
    return;
  }
  next(error);
}
