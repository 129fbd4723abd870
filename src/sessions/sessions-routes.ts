import { Router, type Response } from 'express';
import { contextOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { SignInPage, SignInService } from './signin-service.js';
import {
  cookieValue,
  LoginQuery,
  PutSsoBody,
  SIGNIN_ATTEMPT_MS,
  sessionCookieName,
  signInCookieName,
} from './sessions.js';

export interface AuthRoutesOptions {
  /** PUBLIC_URL is https: cookies are Secure (and __Host-/__Secure- prefixed). */
  secure: boolean;
  /**
   * Counts sign-in starts per client address (SIGNIN_RATE_LIMIT a minute): each writes an attempt
   * row without any credential. `begin` answers 0 to go ahead, else the milliseconds to wait.
   */
  startLimiter: { begin(key: string): number; end(key: string, counted: boolean): void };
}

/** GET /auth/login, GET /auth/callback, POST /auth/logout, GET /auth/organizations/:org (DESIGN §10). */
export function authRoutes(signIn: SignInService, options: AuthRoutesOptions): Router {
  const router = Router();
  const sessionCookie = sessionCookieName(options.secure);
  const attemptCookie = signInCookieName(options.secure);
  const base = { httpOnly: true, sameSite: 'lax' as const, secure: options.secure };

  router.get('/login', async (req, res) => {
    const query = LoginQuery.safeParse(req.query);
    if (!query.success) {
      return sendPage(res, {
        status: 400,
        title: 'Sign-in link incomplete',
        message: 'The link must name the organization: /auth/login?org=<id or name>.',
      });
    }
    const client = req.ip ?? 'unknown';
    const waitMs = options.startLimiter.begin(client);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      return sendPage(res, {
        status: 429,
        title: 'Too many sign-in attempts',
        message: 'Too many sign-in attempts came from your address in the last minute. Wait a minute, then try again.',
      });
    }
    options.startLimiter.end(client, true);
    const begun = await signIn.begin(query.data.org, query.data.returnTo);
    if (!begun.ok) return sendPage(res, begun);
    // Lax: the cookie comes back on the provider's top-level redirect to /auth/callback.
    res.cookie(attemptCookie, begun.attemptSecret, { ...base, path: '/auth', maxAge: SIGNIN_ATTEMPT_MS });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, begun.redirect);
  });

  router.get('/callback', async (req, res) => {
    const search = new URL(req.originalUrl, 'http://x').search;
    const done = await signIn.complete(cookieValue(req.headers.cookie, attemptCookie), search, req.id);
    res.clearCookie(attemptCookie, { ...base, path: '/auth' });
    if (!done.ok) return sendPage(res, done);
    // A session cookie without Max-Age ends with the browser; the server ends it sooner or later anyway.
    res.cookie(sessionCookie, done.sessionSecret, { ...base, path: '/' });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, done.returnTo);
  });

  router.post('/logout', async (req, res) => {
    const result = await signIn.logout(cookieValue(req.headers.cookie, sessionCookie), req.get('x-csrf-token'), req.id);
    res.clearCookie(sessionCookie, { ...base, path: '/' });
    res.setHeader('Cache-Control', 'no-store');
    res.json(result);
  });

  // Whether an organization offers sign-in: the admin page asks before anyone is signed in. The
  // same answer for an unknown organization as for one without sign-in (no name is confirmed).
  router.get('/organizations/:org', async (req, res) => {
    const org = String(req.params.org);
    const enabled = await signIn.signInOffered(org);
    res.setHeader('Cache-Control', 'no-store');
    res.json(enabled ? { enabled, loginUrl: `/auth/login?org=${encodeURIComponent(org)}` } : { enabled });
  });

  return router;
}

/** /api/v1/organizations/current/sso (org:admin): the organization's sign-in settings. */
export function ssoRoutes(signIn: SignInService): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await signIn.getSettings(contextOf(req)));
  });
  router.put('/', async (req, res) => {
    res.json(await signIn.putSettings(contextOf(req), parseInput(PutSsoBody, req.body)));
  });
  router.delete('/', async (req, res) => {
    await signIn.deleteSettings(contextOf(req));
    res.status(204).end();
  });
  return router;
}

function sendPage(res: Response, page: SignInPage): void {
  res.status(page.status).setHeader('Cache-Control', 'no-store');
  res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · keyscope</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}h1{font-size:1.4rem}</style>
</head><body><main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>
<p><a href="/ui/">Back to keyscope</a></p></main></body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
