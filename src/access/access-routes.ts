import { Router } from 'express';
import { z } from 'zod';
import { principalOf, requirePermission } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { Authenticator } from './authenticator.js';
import { BUILTIN_PERMISSIONS, can, decide } from '../principals/permissions.js';
import { principalStatus, type Principal } from '../principals/principal.js';

const AuthorizeBody = z.object({ permission: z.string().min(1).max(200), resource: z.string().min(1).max(500).optional() }).strict();
const IntrospectBody = z.object({ token: z.string().min(1).max(1000), token_type_hint: z.string().optional() }).strict();

/** What a key is and may do, as services see it (DESIGN §7). */
export function describePrincipal(p: Principal, now: Date) {
  const { status, reason } = principalStatus(p, now);
  return {
    organization: { id: p.orgId, name: p.orgName },
    key: { id: p.keyId, name: p.keyName, kind: p.kind, scim: p.scim, status, statusReason: reason, expiresAt: p.expiresAt?.toISOString() ?? null },
    group: p.groupId ? { id: p.groupId, name: p.groupName } : null,
    owner: p.ownerUserId ? { id: p.ownerUserId, userName: p.ownerUserName } : null,
    permissions: p.grant,
    // Each built-in permission, decided: what a client (the admin page) may offer this key.
    can: Object.fromEntries(BUILTIN_PERMISSIONS.map((b) => [b.name, can(p.grant, b.name)])),
  };
}

/** GET /me, POST /authorize, POST /introspect: the access API services call. */
export function accessRoutes(authenticator: Authenticator, now: () => Date): Router {
  const router = Router();

  router.get('/me', (req, res) => {
    res.json(describePrincipal(principalOf(req), now()));
  });

  // A denied permission is a normal answer (200, allowed false), not an HTTP error.
  router.post('/authorize', (req, res) => {
    const body = parseInput(AuthorizeBody, req.body);
    const decision = decide(principalOf(req).grant, body.permission, body.resource);
    res.json(decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason });
  });

  // RFC 7662. Unknown, revoked, expired and other organizations' tokens all read as {active: false}.
  router.post('/introspect', requirePermission('keys:introspect'), async (req, res) => {
    const caller = principalOf(req);
    const body = parseInput(IntrospectBody, req.body);
    res.setHeader('Cache-Control', 'no-store');
    const result = await authenticator.authenticate(`Bearer ${body.token}`, `introspect:${caller.keyId}`, { recordUse: false });
    if (!result.ok || result.principal.orgId !== caller.orgId) {
      res.json({ active: false });
      return;
    }
    const p = result.principal;
    res.json({
      active: true,
      scope: p.grant.map((g) => g.permission).join(' '),
      client_id: p.keyId,
      sub: p.ownerUserId ?? p.keyId,
      token_type: 'Bearer',
      iat: Math.floor(p.issuedAt.getTime() / 1000),
      ...(p.expiresAt ? { exp: Math.floor(p.expiresAt.getTime() / 1000) } : {}),
      ...describePrincipal(p, now()),
    });
  });

  return router;
}
