import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  // Short settings: 2 minutes idle, 5 minutes in all; the app's clock is moved, not waited for.
  app = await startTestApp({
    env: { PUBLIC_URL, SESSION_IDLE_TIMEOUT_SECONDS: '120', SESSION_MAX_LIFETIME_SECONDS: '300' },
  });
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

describe('session expiry', () => {
  it('a session unused for longer than the idle timeout is refused (session_expired)', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect((await browser.get('/api/v1/me')).status).toBe(200);
    app.clock.advance(121_000);
    const res = await browser.get('/api/v1/me');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'session_expired' });
    // And it stays ended.
    expect((await browser.get('/api/v1/me')).status).toBe(401);
  });

  it('a session in use lives on past the idle timeout, but not past its lifetime', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    for (let i = 0; i < 5; i++) {
      app.clock.advance(59_000);
      expect((await browser.get('/api/v1/me')).status).toBe(200);
    }
    // 295 s in: still alive; past 300 s it is over, however busy.
    app.clock.advance(6_000);
    const res = await browser.get('/api/v1/me');
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'session_expired' });
  });

  it('another process that saw the session used keeps it alive here (the database is asked before refusing)', async () => {
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect((await browser.get('/api/v1/me')).status).toBe(200);
    // What another process writes when it serves the session: its last use.
    app.clock.advance(100_000);
    await app.db.query('UPDATE sessions SET last_seen_at = $1', [app.clock.now]);
    app.clock.advance(100_000);
    expect((await browser.get('/api/v1/me')).status).toBe(200);
  });
});
