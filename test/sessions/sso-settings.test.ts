import request from 'supertest';
import { configureSignIn, startProvider, type TestProvider } from '../support/oidc.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://keyscope.example.com';
const SIGNING_KEY_SECRET = 'a-signing-key-secret-of-at-least-32-characters';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, SIGNING_KEY_SECRET, LOG_LEVEL: 'debug' } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

const sso = (token = app.adminToken) => ({
  get: () => app.http.get('/api/v1/organizations/current/sso').set('Authorization', `Bearer ${token}`),
  put: (body: unknown) =>
    app.http
      .put('/api/v1/organizations/current/sso')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object),
  delete: () => app.http.delete('/api/v1/organizations/current/sso').set('Authorization', `Bearer ${token}`),
});

describe('PUT/GET/DELETE /api/v1/organizations/current/sso', () => {
  it('saves after reading the discovery document; GET answers hasClientSecret and the redirect URI, never the secret', async () => {
    expect((await sso().get()).status).toBe(404);
    const put = await configureSignIn(app.keyscope.app, app.adminToken, provider);
    expect(put.status).toBe(200);
    const got = await sso().get();
    expect(got.body).toEqual({
      enabled: true,
      issuer: provider.issuer,
      clientId: 'keyscope',
      hasClientSecret: true,
      claim: 'preferred_username',
      attribute: 'userName',
      redirectUri: `${PUBLIC_URL}/auth/callback`,
      updatedAt: expect.any(String),
    });
    for (const res of [put, got]) expect(JSON.stringify(res.body)).not.toContain(provider.clientSecret);
  });

  it('the secret is sealed at rest, and never logged or audited', async () => {
    await configureSignIn(app.keyscope.app, app.adminToken, provider);
    const { rows } = await app.db.query<{ client_secret: string }>('SELECT client_secret FROM sso_settings');
    expect(rows[0]!.client_secret).toMatch(/^v1\./);
    expect(rows[0]!.client_secret).not.toContain(provider.clientSecret);
    const audit = await app.http.get('/api/v1/audit?action=sso.*').set('Authorization', `Bearer ${app.adminToken}`);
    expect(audit.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit.body)).not.toContain(provider.clientSecret);
    expect(app.logs()).not.toContain(provider.clientSecret);
  });

  it('the secret may be left out to keep the stored one', async () => {
    await configureSignIn(app.keyscope.app, app.adminToken, provider);
    const res = await sso().put({ issuer: provider.issuer, clientId: 'keyscope', claim: 'email', attribute: 'emails' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ hasClientSecret: true, claim: 'email', attribute: 'emails' }));
  });

  it('an issuer whose discovery document cannot be read is a clear 400', async () => {
    const res = await sso().put({ issuer: 'http://127.0.0.1:9/nothing-here', clientId: 'x', clientSecret: 'y' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('sso_discovery_failed');
    expect(res.body.detail).toMatch(/127\.0\.0\.1:9\/nothing-here\/\.well-known\/openid-configuration/);
    // The issuer must be the one the document names.
    const wrongIssuer = await sso().put({ issuer: `${provider.issuer}/other`, clientId: 'x', clientSecret: 'y' });
    expect(wrongIssuer.body.code).toBe('sso_discovery_failed');
  });

  it('http issuers are refused unless on the loopback interface; bad claims and attributes are 400', async () => {
    for (const body of [
      { issuer: 'http://idp.example.com', clientId: 'x', clientSecret: 'y' },
      { issuer: 'not a url', clientId: 'x', clientSecret: 'y' },
      { issuer: provider.issuer, clientId: 'x', clientSecret: 'y', attribute: 'password' },
      { issuer: provider.issuer, clientId: 'x', clientSecret: 'y', claim: 'has spaces' },
      { issuer: provider.issuer, clientId: '', clientSecret: 'y' },
    ]) {
      const res = await sso().put(body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({
        body,
        status: 400,
        code: 'validation_failed',
      });
    }
  });

  it('needs org:admin', async () => {
    const managers = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Key managers', rules: [{ role: 'key-manager' }] });
    const manager = await createKey(app, { name: 'km', groupId: managers.body.id });
    expect((await sso(manager.token).get()).status).toBe(403);
    expect((await sso(manager.token).put({ issuer: provider.issuer, clientId: 'x', clientSecret: 'y' })).status).toBe(
      403,
    );
    expect((await sso(manager.token).delete()).status).toBe(403);
  });

  it('DELETE turns sign-in off: /auth/login then says so', async () => {
    await configureSignIn(app.keyscope.app, app.adminToken, provider);
    expect((await request(app.keyscope.app).get('/auth/organizations/default')).body).toEqual({
      enabled: true,
      loginUrl: '/auth/login?org=default',
    });
    expect((await sso().delete()).status).toBe(204);
    expect((await sso().get()).status).toBe(404);
    const login = await request(app.keyscope.app).get('/auth/login?org=default');
    expect({ status: login.status, text: login.text }).toEqual({
      status: 404,
      text: expect.stringMatching(/not set up/),
    });
    expect((await request(app.keyscope.app).get('/auth/organizations/default')).body.enabled).toBe(false);
  });

  it('over https the cookies are Secure and __Host-/__Secure- prefixed', async () => {
    await configureSignIn(app.keyscope.app, app.adminToken, provider);
    const login = await request(app.keyscope.app).get('/auth/login?org=default');
    expect(login.status).toBe(302);
    const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^__Secure-keyscope_signin=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    const auth = new URL(login.headers.location!);
    expect(auth.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/auth/callback`);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
  });
});

describe('without PUBLIC_URL', () => {
  it('saving sign-in settings is a clear 400', async () => {
    const bare = await startTestApp();
    try {
      const res = await bare.http
        .put('/api/v1/organizations/current/sso')
        .set('Authorization', `Bearer ${bare.adminToken}`)
        .send({ issuer: provider.issuer, clientId: 'keyscope', clientSecret: 'x' });
      expect({ status: res.status, detail: res.body.detail }).toEqual({
        status: 400,
        detail: expect.stringMatching(/PUBLIC_URL/),
      });
    } finally {
      await bare.close();
    }
  });
});
