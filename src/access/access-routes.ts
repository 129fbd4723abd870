import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { principalOf, requirePermission, type TokenAuthenticator } from '../http/authenticate.js';
import { jsonBody } from '../http/json-body.js';
import { requestOrigin } from '../http/origin.js';
import { parseInput } from '../http/validate.js';
import type { AccessService } from './access-service.js';

const AuthorizeBody = z
  .object({ permission: z.string().min(1).max(200), resource: z.string().min(1).max(500).optional() })
  .strict();
type AuthorizeBody = z.infer<typeof AuthorizeBody>;
const IntrospectBody = z
  .object({ token: z.string().min(1).max(1000), token_type_hint: z.string().optional() })
  .strict();

/**
 * AuthorizeBody's check written out for the body every service sends, `{permission[, resource]}`;
 * anything else goes to zod, whose answer (and error) is the one that counts.
 */
function authorizeBodyOf(body: unknown): AuthorizeBody {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { permission, resource } = body as Record<string, unknown>;
    if (typeof permission === 'string' && permission.length >= 1 && permission.length <= 200) {
      const fields = Object.keys(body).length;
      if (resource === undefined && fields === 1) return { permission };
      if (typeof resource === 'string' && resource.length >= 1 && resource.length <= 500 && fields === 2) {
        return { permission, resource };
      }
    }
  }
  return parseInput(AuthorizeBody, body);
}

/** A description is shared between requests and never changed (describePrincipal): its JSON is made once. */
const descriptionJson = new WeakMap<object, string>();

function answerMe(access: AccessService, req: Request, res: Response): void {
  const principal = principalOf(req);
  // A session's answer carries its CSRF token: no cache may keep it.
  if (principal.session) res.setHeader('Cache-Control', 'no-store');
  const description = access.me(principal);
  let json = descriptionJson.get(description);
  if (json === undefined) {
    json = JSON.stringify(description);
    descriptionJson.set(description, json);
  }
  // What res.json sends: the same header, the same bytes.
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.send(json);
}

// A denied permission is a normal answer (200, allowed false), not an HTTP error.
function answerAuthorize(access: AccessService, req: Request, res: Response): void {
  res.json(access.authorize(principalOf(req), authorizeBodyOf(req.body)));
}

/**
 * GET /me, POST /authorize, POST /introspect: the access API services call, added to the API's own
 * router rather than a router of their own, which every request to /authorize would pay to enter.
 */
export function accessRoutes(router: Router, access: AccessService): Router {
  router.get('/me', (req, res) => answerMe(access, req, res));
  router.post('/authorize', (req, res) => answerAuthorize(access, req, res));

  // RFC 7662. Unknown, revoked, expired and other organizations' tokens all read as {active: false}.
  router.post('/introspect', requirePermission('keys:introspect'), async (req, res) => {
    const caller = principalOf(req);
    const body = parseInput(IntrospectBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await access.introspect(caller, body.token, requestOrigin(req)));
  });

  return router;
}

/**
 * `POST /api/v1/authorize` and `GET /api/v1/me` with a key this process already knows and accepts,
 * answered before Express's routers: every service asks on every request it serves, and each layer
 * a request passes costs it (issue 15). The answer is the routes' own (answerMe, answerAuthorize,
 * the same JSON body parser); anything else (another path or method, a query string, no key, a key
 * not yet known or refused, a sign-in cookie) goes on the normal way.
 */
export function accessHotPath(access: AccessService, authenticator: TokenAuthenticator) {
  const parseJson = jsonBody();
  return function accessHotPathMiddleware(req: Request, res: Response, next: NextFunction) {
    const authorize = req.url === '/api/v1/authorize' && req.method === 'POST';
    if (!authorize && !(req.url === '/api/v1/me' && req.method === 'GET')) return next();
    const principal = authenticator.acceptedCached(req.headers.authorization);
    if (!principal) return next();
    req.principal = principal;
    if (!authorize) return answerMe(access, req, res);
    parseJson(req, res, (error?: unknown) => {
      if (error) return next(error);
      try {
        answerAuthorize(access, req, res);
      } catch (refused) {
        next(refused);
      }
    });
  };
}
