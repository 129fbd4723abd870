/**
 * A real OpenID Provider for sign-in tests (issue 11): oidc-provider, the certified Node.js
 * implementation, in this process on a real port, with its development login pages driven over
 * real HTTP. Nothing of the provider is mocked; `tamper` alters the token endpoint's answer after
 * the provider made it, as a machine in the middle would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContext } from 'oidc-provider';
import request, { type Response } from 'supertest';

export interface Account {
  preferred_username?: string;
  email?: string;
  name?: string;
  [claim: string]: unknown;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A second client of the same provider (tokens for another audience). */
  other: { clientId: string; clientSecret: string; redirectUri: string };
  /** Who can sign in at the provider: account id → claims. */
  accounts: Map<string, Account>;
  /** Changes the token endpoint's JSON answer on its way out (undefined: untouched). */
  tamper: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** Signs `accountId` in at the provider for an authorization URL; returns where the provider sends the browser back. */
  authorize(authorizationUrl: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startProvider(options: { redirectUris: string[] }): Promise<TestProvider> {
  let handler:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, Account>();
  const clientSecret = 'keyscope-test-client-secret-0123456789abcdef';
  const other = {
    clientId: 'another-app',
    clientSecret: 'another-app-secret-0123456789abcdef0123',
    redirectUri: 'http://127.0.0.1:9/another-app/callback',
  };
  // oidc-provider warns on the console about its development conveniences (in-memory storage, its
  // own login pages), which are what these tests want: quiet while it is built.
  const { warn, info } = console;
  console.warn = () => undefined;
  console.info = () => undefined;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'keyscope',
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: other.clientId,
        client_secret: other.clientSecret,
        redirect_uris: [other.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'] },
    // Scope claims in the ID token itself (as Okta and Entra ID put preferred_username there).
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // Consent is granted on sign-in: these tests are about keyscope, not about consent screens.
    loadExistingGrant: async (ctx: KoaContext) => {
      const clientId = ctx.oidc.client!.clientId;
      const existing = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (existing) {
        const found = await ctx.oidc.provider.Grant.find(existing);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    jwks: { keys: [await signingJwk()] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600 },
  });
  console.warn = warn;
  console.info = info;
  const state: TestProvider = {
    issuer,
    clientId: 'keyscope',
    clientSecret,
    other,
    accounts,
    tamper: undefined,
    authorize: (url, accountId) => authorizeAt(issuer, url, accountId),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && state.tamper && ctx.body && typeof ctx.body === 'object') {
      ctx.body = state.tamper(ctx.body as Record<string, unknown>);
    }
  });
  handler = provider.callback();
  return state;
}

/** A browser's cookie jar, enough for one host: names and values, dropped when expired. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(setCookie: string[] | string | undefined): void {
    const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    for (const line of list) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k, v] = a.trim().split('=');
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k?.toLowerCase() === 'expires') return new Date(v ?? '').getTime() < Date.now();
        return false;
      });
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** Follows the provider's redirects with a cookie jar, signing in on its login page. */
async function authorizeAt(issuer: string, authorizationUrl: string, accountId: string): Promise<URL> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    jar.store(res.headers.getSetCookie());
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== issuer) return next;
      url = next;
      continue;
    }
    const text = await res.text();
    if (res.status === 200 && /\/interaction\/[^/]+$/.test(url.pathname) && /name="login"/.test(text)) {
      // The development login form: any password, the account id as login.
      method = 'POST';
      body = new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }).toString();
      continue;
    }
    if (res.status === 200 && /\/interaction\/[^/]+$/.test(url.pathname)) {
      method = 'POST';
      body = new URLSearchParams({ prompt: 'consent' }).toString();
      continue;
    }
    throw new Error(`provider answered ${res.status} at ${url.pathname}: ${text.slice(0, 300)}`);
  }
  throw new Error('too many redirects at the provider');
}

/** A browser at keyscope (in-process, through supertest) with its own cookie jar. */
export class KeyscopeBrowser {
  readonly jar = new CookieJar();

  constructor(private readonly app: Express) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.send('get', path, undefined, headers);
  }

  async send(
    method: 'get' | 'post' | 'patch' | 'put' | 'delete',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    let req = request(this.app)[method](path);
    const cookie = this.jar.header();
    if (cookie) req = req.set('Cookie', cookie);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = body === undefined ? await req : await req.send(body as object);
    this.jar.store(res.headers['set-cookie'] as unknown as string[] | undefined);
    return res;
  }

  /** The CSRF token of the current session (GET /api/v1/me). */
  async csrf(): Promise<string> {
    const me = await this.get('/api/v1/me');
    if (me.status !== 200) throw new Error(`GET /api/v1/me: ${me.status} ${JSON.stringify(me.body)}`);
    return me.body.csrfToken as string;
  }
}

/** The whole sign-in: /auth/login at keyscope, the provider's login, /auth/callback at keyscope. */
export async function signInThrough(
  app: Express,
  provider: TestProvider,
  accountId: string,
  options: { org?: string; returnTo?: string; browser?: KeyscopeBrowser } = {},
): Promise<{ browser: KeyscopeBrowser; callback: Response; callbackUrl: URL; authorizationUrl: URL }> {
  const browser = options.browser ?? new KeyscopeBrowser(app);
  const query = new URLSearchParams({ org: options.org ?? 'default' });
  if (options.returnTo !== undefined) query.set('returnTo', options.returnTo);
  const login = await browser.get(`/auth/login?${query}`);
  if (login.status !== 302) throw new Error(`GET /auth/login: ${login.status} ${login.text}`);
  const authorizationUrl = new URL(login.headers.location!);
  const callbackUrl = await provider.authorize(authorizationUrl.href, accountId);
  const callback = await browser.get(callbackUrl.pathname + callbackUrl.search);
  return { browser, callback, callbackUrl, authorizationUrl };
}

/** Saves the organization's sign-in settings for `provider` with the bootstrap key. */
export async function configureSignIn(
  app: Express,
  adminToken: string,
  provider: TestProvider,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return request(app)
    .put('/api/v1/organizations/current/sso')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, ...extra });
}

/** The provider's own signing key (its JWKS publishes the public half). */
export async function signingJwk(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    alg: 'RS256',
    use: 'sig',
    kid: `k${Math.random().toString(36).slice(2, 8)}`,
  };
}
