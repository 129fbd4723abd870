import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  const scim = await scimClient(app);
  await scim.post('/Users', oktaUser('ada@example.com'));
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

describe('CSRF: cookie-authenticated writes need X-CSRF-Token', () => {
  it('a state-changing request without the token, or with a wrong one, is 403 csrf_failed; with it, it goes through', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    const missing = await browser.send('post', '/api/v1/keys', { name: 'no token' });
    expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 403, code: 'csrf_failed' });
    const wrong = await browser.send('post', '/api/v1/keys', { name: 'wrong' }, { 'X-CSRF-Token': 'x'.repeat(43) });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 403, code: 'csrf_failed' });
    const patch = await browser.send('patch', '/api/v1/organizations/current', { maxKeys: 5 });
    expect(patch.body.code).toBe('csrf_failed');
    const right = await browser.send(
      'post',
      '/api/v1/keys',
      { name: 'with token' },
      { 'X-CSRF-Token': await browser.csrf() },
    );
    expect(right.status).toBe(201);
    // Reads need no token.
    expect((await browser.get('/api/v1/keys')).status).toBe(200);
  });

  it('a bearer key is unchanged: no CSRF token needed, and a cookie alongside it is ignored', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    const res = await browser.send(
      'post',
      '/api/v1/keys',
      { name: 'by admin', kind: 'service' },
      {
        Authorization: `Bearer ${app.adminToken}`,
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.key.createdBy.name).toMatch(/Bootstrap admin key/);
  });
});

describe('logout', () => {
  it('ends the session server-side: the old cookie is refused, the provider end-session URL is offered, and it is audited', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    const cookie = browser.jar.header();
    const csrf = await browser.csrf();
    const refused = await browser.send('post', '/auth/logout');
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'csrf_failed' });
    const out = await browser.send('post', '/auth/logout', undefined, { 'X-CSRF-Token': csrf });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ended: true, endSessionUrl: expect.stringContaining(`${provider.issuer}/session/end`) });
    expect(browser.jar.cookies.has('keyscope_session')).toBe(false);
    // Someone who kept the old cookie gets nothing.
    const replay = await app.http.get('/api/v1/me').set('Cookie', cookie);
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'session_ended' });
    const audit = await app.http.get('/api/v1/audit?action=signout').set('Authorization', `Bearer ${app.adminToken}`);
    expect(audit.body.items[0]).toEqual(expect.objectContaining({ action: 'signout' }));
  });

  it('without a session it just clears the cookie', async () => {
    const res = await app.http.post('/auth/logout');
    expect(res.body).toEqual({ ended: false, endSessionUrl: null });
  });
});
