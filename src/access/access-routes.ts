import type { Router } from 'express';
import { z } from 'zod';
import { principalOf, requirePermission } from '../http/authenticate.js';
import { requestOrigin } from '../http/origin.js';
import { parseInput } from '../http/validate.js';
import type { AccessService } from './access-service.js';

const AuthorizeBody = z
  .object({ permission: z.string().min(1).max(200), resource: z.string().min(1).max(500).optional() })
  .strict();
const IntrospectBody = z
  .object({ token: z.string().min(1).max(1000), token_type_hint: z.string().optional() })
  .strict();

/**
 * GET /me, POST /authorize, POST /introspect: the access API services call, added to the API's own
 * router rather than a router of their own, which every request to /authorize would pay to enter.
 */
export function accessRoutes(router: Router, access: AccessService): Router {
  router.get('/me', (req, res) => {
    const principal = principalOf(req);
    // A session's answer carries its CSRF token: no cache may keep it.
    if (principal.session) res.setHeader('Cache-Control', 'no-store');
    res.json(access.me(principal));
  });

  // A denied permission is a normal answer (200, allowed false), not an HTTP error.
  router.post('/authorize', (req, res) => {
    const body = parseInput(AuthorizeBody, req.body);
    res.json(access.authorize(principalOf(req), body));
  });

  // RFC 7662. Unknown, revoked, expired and other organizations' tokens all read as {active: false}.
  router.post('/introspect', requirePermission('keys:introspect'), async (req, res) => {
    const caller = principalOf(req);
    const body = parseInput(IntrospectBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await access.introspect(caller, body.token, requestOrigin(req)));
  });

  return router;
}
