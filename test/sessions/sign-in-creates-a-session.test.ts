import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;
let adaId: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  const scim = await scimClient(app);
  adaId = (await scim.post('/Users', oktaUser('ada@example.com', { displayName: 'Ada Lovelace', externalId: 'E-42' })))
    .body.id;
  provider.accounts.set('okta-ada', {
    preferred_username: 'Ada@Example.com',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
  });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

describe('sign-in creates a session', () => {
  it('a provisioned person signs in (claim matched case-insensitively) and GET /api/v1/me answers for them', async () => {
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect({ status: callback.status, location: callback.headers.location }).toEqual({ status: 302, location: '/ui/' });
    const me = await browser.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.body).toEqual(
      expect.objectContaining({
        kind: 'session',
        organization: expect.objectContaining({ name: 'default' }),
        user: { id: adaId, userName: 'ada@example.com', displayName: 'Ada Lovelace' },
        csrfToken: expect.stringMatching(/^[\w-]{40,}$/),
      }),
    );
  });

  it('the session cookie is HttpOnly, SameSite=Lax, path /, not Secure over http; the database keeps only its hash', async () => {
    const { callback } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    const cookies = callback.headers['set-cookie'] as unknown as string[];
    const session = cookies.find((c) => c.startsWith('keyscope_session='))!;
    expect(session).toMatch(/; Path=\/(;|$)/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    const secret = session.split(';')[0]!.split('=')[1]!;
    const { rows } = await app.db.query<Record<string, unknown>>('SELECT * FROM sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('returnTo: a path on this site is honoured; //host, /\\host and absolute URLs land on /ui/', async () => {
    const here = await signInThrough(app.keyscope.app, provider, 'okta-ada', { returnTo: '/ui/keys?x=1' });
    expect(here.callback.headers.location).toBe('/ui/keys?x=1');
    for (const offSite of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      '/%0d%0aSet-Cookie:x',
      'ui/keys',
    ]) {
      const { callback } = await signInThrough(app.keyscope.app, provider, 'okta-ada', { returnTo: offSite });
      expect({ offSite, location: callback.headers.location }).toEqual({
        offSite,
        location: offSite.startsWith('/%') ? offSite : '/ui/',
      });
    }
  });

  it('the sign-in is audited with the person as actor, and what they do in the session names them "via sign-in"', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    const csrf = await browser.csrf();
    const created = await browser.send('post', '/api/v1/keys', { name: 'laptop' }, { 'X-CSRF-Token': csrf });
    expect(created.status).toBe(201);
    expect(created.body.key.createdBy).toEqual({ id: `user:${adaId}`, name: 'ada@example.com (via sign-in)' });
    const audit = await app.http.get('/api/v1/audit').set('Authorization', `Bearer ${app.adminToken}`);
    const signin = audit.body.items.find((e: { action: string }) => e.action === 'signin');
    expect(signin).toEqual(
      expect.objectContaining({
        actor: { id: `user:${adaId}`, name: 'ada@example.com (via sign-in)' },
        target: `user:${adaId}`,
      }),
    );
    const create = audit.body.items.find((e: { action: string }) => e.action === 'key.create');
    expect(create).toEqual(
      expect.objectContaining({ actor: { id: `user:${adaId}`, name: 'ada@example.com (via sign-in)' } }),
    );
  });

  it('the organization may be named by id, and the claim may be matched to externalId or emails', async () => {
    const byId = await signInThrough(app.keyscope.app, provider, 'okta-ada', { org: app.orgId });
    expect(byId.callback.status).toBe(302);
    provider.accounts.set('okta-ext', { preferred_username: 'e-42' });
    expect(
      (await configureSignIn(app.keyscope.app, app.adminToken, provider, { attribute: 'externalId' })).status,
    ).toBe(200);
    expect((await signInThrough(app.keyscope.app, provider, 'okta-ext')).callback.status).toBe(302);
    expect(
      (await configureSignIn(app.keyscope.app, app.adminToken, provider, { claim: 'email', attribute: 'emails' }))
        .status,
    ).toBe(200);
    const byEmail = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect(byEmail.callback.status).toBe(302);
    expect((await byEmail.browser.get('/api/v1/me')).body.user.id).toBe(adaId);
    expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
  });
});
