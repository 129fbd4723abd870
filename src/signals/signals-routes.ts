import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { bearerOf } from '../http/bearer.js';
import { HttpError } from '../http/http-error.js';
import { parseInput } from '../http/validate.js';
import type { IncomingSignal, SignalsService } from './signals-service.js';
import { PutSignalsBody, type RefusalCode } from './signals.js';

/** Signals are small: a JWT and a subject. */
const SIGNAL_BODY_LIMIT = '64kb';

function incoming(req: Request, token: string | undefined): IncomingSignal {
  return { token, base: `${req.protocol}://${req.get('host') ?? 'localhost'}`, requestId: req.id };
}

/** GET/PUT /api/v1/organizations/current/signals (org:admin). */
export function signalSettingsRoutes(signals: SignalsService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await signals.getSettings(contextOf(req)));
  });
  router.put('/', async (req, res) => {
    res.json(await signals.putSettings(contextOf(req), parseInput(PutSignalsBody, req.body)));
  });
  return router;
}

/** How Okta's Universal Logout answers each refusal (its API specification's status codes). */
const LOGOUT_STATUS: Record<RefusalCode, number> = {
  malformed: 400,
  unsupported_event: 400,
  invalid_token: 401,
  invalid_claims: 401,
  wrong_audience: 401,
  unknown_issuer: 403,
  unknown_subject: 404,
  ambiguous_subject: 404,
  unsupported_format: 422,
  keys_unavailable: 503,
};

/**
 * POST /api/v1/global-token-revocation (Okta Universal Logout): authenticated by the identity
 * provider's signed JWT, not by a keyscope key; 204 when the person's sessions and keys are stopped.
 */
export function globalTokenRevocationRoutes(signals: SignalsService): Router {
  const router = Router();
  router.post('/', express.text({ type: () => true, limit: SIGNAL_BODY_LIMIT }), async (req, res) => {
    // The token is judged before the body: a caller without one learns nothing from a 400.
    let body: unknown = null;
    if (typeof req.body === 'string' && req.body.length) {
      try {
        body = JSON.parse(req.body);
      } catch {
        body = null;
      }
    }
    const outcome = await signals.universalLogout(
      incoming(req, bearerOf(req.headers.authorization) || undefined),
      body,
    );
    res.setHeader('Cache-Control', 'no-store');
    if (outcome.accepted) return void res.status(204).end();
    const status = LOGOUT_STATUS[outcome.code];
    const headers: Record<string, string> = {};
    if (status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    if (status === 503) headers['Retry-After'] = '30';
    throw new HttpError(status, outcome.code, outcome.description, { headers });
  });
  return router;
}

/** RFC 8935 §2.3's error codes, for each refusal. */
const SET_ERRORS: Record<RefusalCode, string> = {
  malformed: 'invalid_request',
  unsupported_event: 'invalid_request',
  unsupported_format: 'invalid_request',
  unknown_subject: 'invalid_request',
  ambiguous_subject: 'invalid_request',
  invalid_claims: 'invalid_request',
  invalid_token: 'invalid_key',
  unknown_issuer: 'invalid_issuer',
  wrong_audience: 'invalid_audience',
  keys_unavailable: 'temporarily_unavailable',
};

/** POST /ssf/events/:orgId: Shared Signals push delivery (RFC 8935); 202, or 400 with `{err, description}`. */
export function ssfRoutes(signals: SignalsService): Router {
  const router = Router();
  router.post('/:orgId', express.text({ type: () => true, limit: SIGNAL_BODY_LIMIT }), async (req, res) => {
    const token = typeof req.body === 'string' ? req.body.trim() : undefined;
    const outcome = await signals.receiveSet(String(req.params.orgId), incoming(req, token), req.get('content-type'));
    if (outcome.accepted) return void res.status(202).end();
    if (outcome.code === 'keys_unavailable') res.setHeader('Retry-After', '30');
    res
      .status(outcome.code === 'keys_unavailable' ? 503 : 400)
      .json({ err: SET_ERRORS[outcome.code], description: outcome.description });
  });
  // A body too large or unreadable: still answered in RFC 8935's words.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: number }).status;
    if (typeof status !== 'number' || status >= 500) return next(error);
    res.status(status === 413 ? 413 : 400).json({
      err: 'invalid_request',
      description: status === 413 ? `A SET is at most ${SIGNAL_BODY_LIMIT}` : 'The request body could not be read',
    });
  });
  return router;
}
