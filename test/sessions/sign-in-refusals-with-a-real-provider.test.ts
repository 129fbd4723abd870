import { createHash, randomBytes } from 'node:crypto';
import { configureSignIn, KeyscopeBrowser, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  const scim = await scimClient(app);
  await scim.post('/Users', oktaUser('ada@example.com'));
  await scim.post('/Users', oktaUser('gone@example.com', { active: false }));
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com' });
  provider.accounts.set('okta-gone', { preferred_username: 'gone@example.com' });
  provider.accounts.set('okta-nobody', { preferred_username: 'nobody@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});
afterEach(() => {
  provider.tamper = undefined;
});

const SESSION_COOKIE = 'keyscope_session';

async function auditOf(action: string): Promise<Record<string, unknown>[]> {
  const res = await app.http
    .get(`/api/v1/audit?action=${encodeURIComponent(action)}`)
    .set('Authorization', `Bearer ${app.adminToken}`);
  return res.body.items as Record<string, unknown>[];
}

function expectRefused(browser: KeyscopeBrowser, res: { status: number; text: string }, status: number, words: RegExp) {
  expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.stringMatching(words) });
  expect(browser.jar.cookies.has(SESSION_COOKIE)).toBe(false);
}

describe('sign-in refusals with a real provider', () => {
  it('an unprovisioned person gets a clear page, no session, and a failed sign-in in the audit log', async () => {
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-nobody');
    expectRefused(browser, callback, 403, /not provisioned/);
    expect((await browser.get('/api/v1/me')).status).toBe(401);
    const [event] = await auditOf('signin.failed');
    expect(event).toEqual(
      expect.objectContaining({
        action: 'signin.failed',
        details: expect.objectContaining({ reason: 'not_provisioned', value: 'nobody@example.com' }),
      }),
    );
  });

  it('a deactivated person gets a clear page and no session', async () => {
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-gone');
    expectRefused(browser, callback, 403, /deactivated/);
    expect((await auditOf('signin.failed'))[0]).toEqual(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'deactivated' }) }),
    );
  });

  it('an unknown organization gets a clear page, which does not tell it from one without sign-in', async () => {
    const browser = new KeyscopeBrowser(app.keyscope.app);
    const res = await browser.get('/auth/login?org=no-such-org');
    expect({ status: res.status, text: res.text }).toEqual({
      status: 404,
      text: expect.stringMatching(/not available for organization &#34;no-such-org&#34;/),
    });
    expect((await browser.get('/auth/organizations/no-such-org')).body).toEqual({ enabled: false });
  });

  it('a replayed code is refused: with the same browser, and with a fresh sign-in attempt', async () => {
    const first = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect(first.callback.status).toBe(302);
    // The same callback again, from the same browser: the attempt was used.
    const again = new KeyscopeBrowser(app.keyscope.app);
    const replay = await again.get(first.callbackUrl.pathname + first.callbackUrl.search);
    expectRefused(again, replay, 400, /cannot be completed/);
    // An attacker's own attempt (its own state) with the stolen code: the provider refuses the code.
    const attacker = new KeyscopeBrowser(app.keyscope.app);
    const login = await attacker.get('/auth/login?org=default');
    const state = new URL(login.headers.location!).searchParams.get('state')!;
    const stolen = new URL(first.callbackUrl);
    stolen.searchParams.set('state', state);
    const res = await attacker.get(stolen.pathname + stolen.search);
    expectRefused(attacker, res, 400, /refused/);
    expect((await auditOf('signin.failed'))[0]).toEqual(
      expect.objectContaining({
        details: expect.objectContaining({ reason: 'provider_error', error: expect.stringMatching(/invalid_grant/) }),
      }),
    );
  });

  it('a wrong state is refused', async () => {
    const browser = new KeyscopeBrowser(app.keyscope.app);
    const login = await browser.get('/auth/login?org=default');
    const back = await provider.authorize(login.headers.location!, 'okta-ada');
    back.searchParams.set('state', 'not-the-state');
    const res = await browser.get(back.pathname + back.search);
    expectRefused(browser, res, 400, /refused/);
  });

  it('a tampered ID token (claims changed in transit, signature kept) is refused', async () => {
    provider.tamper = (body) => {
      const [header, payload, signature] = String(body.id_token).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      claims.preferred_username = 'someone-else@example.com';
      return {
        ...body,
        id_token: [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.'),
      };
    };
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expectRefused(browser, callback, 400, /refused/);
  });

  it('an ID token signed by a key the provider does not publish is refused', async () => {
    const { generateKeyPair, SignJWT, decodeJwt } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    // The claims of a real ID token for this client, captured on the way out.
    let real: Record<string, unknown> = {};
    provider.tamper = (body) => {
      real = decodeJwt(String(body.id_token));
      return body;
    };
    await signInThrough(app.keyscope.app, provider, 'okta-ada');
    // The same claims (this attempt's nonce) signed with a key the provider's JWKS does not hold.
    const browser = new KeyscopeBrowser(app.keyscope.app);
    const login = await browser.get('/auth/login?org=default');
    const nonce = new URL(login.headers.location!).searchParams.get('nonce')!;
    const forged = await new SignJWT({ ...real, nonce })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published' })
      .sign(privateKey);
    provider.tamper = (body) => ({ ...body, id_token: forged });
    const back = await provider.authorize(login.headers.location!, 'okta-ada');
    const res = await browser.get(back.pathname + back.search);
    expectRefused(browser, res, 400, /refused/);
  });

  it('an ID token made for another client (another audience) is refused', async () => {
    const browser = new KeyscopeBrowser(app.keyscope.app);
    const login = await browser.get('/auth/login?org=default');
    const nonce = new URL(login.headers.location!).searchParams.get('nonce')!;
    // A real ID token of the same person, with the same nonce, issued to another application.
    const verifier = randomBytes(32).toString('base64url');
    const other = new URL(`${provider.issuer}/auth`);
    other.search = new URLSearchParams({
      client_id: provider.other.clientId,
      redirect_uri: provider.other.redirectUri,
      response_type: 'code',
      scope: 'openid profile email',
      state: 'other-state',
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const otherBack = await provider.authorize(other.href, 'okta-ada');
    const token = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${provider.other.clientId}:${provider.other.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: otherBack.searchParams.get('code')!,
        redirect_uri: provider.other.redirectUri,
        code_verifier: verifier,
      }),
    });
    const otherIdToken = ((await token.json()) as { id_token: string }).id_token;
    expect(otherIdToken).toMatch(/^eyJ/);
    provider.tamper = (body) => ({ ...body, id_token: otherIdToken });
    const back = await provider.authorize(login.headers.location!, 'okta-ada');
    const res = await browser.get(back.pathname + back.search);
    expectRefused(browser, res, 400, /refused/);
  });

  it('the refusal pages escape what the identity provider sent', async () => {
    provider.accounts.set('okta-script', { preferred_username: '<script>alert(1)</script>' });
    const { callback } = await signInThrough(app.keyscope.app, provider, 'okta-script');
    expect(callback.status).toBe(403);
    expect(callback.text).not.toContain('<script>alert(1)');
    expect(callback.text).toContain('&#60;script&#62;');
  });
});
