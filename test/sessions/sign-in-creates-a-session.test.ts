import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  const scim = await scimClient(app);
  await scim.post('/Users', oktaUser('ada@example.com', { displayName: 'Ada Lovelace' }));
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com', name: 'Ada Lovelace' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

describe('sign-in creates a session', () => {
  it('a provisioned person signs in and GET /api/v1/me answers for them', async () => {
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
    expect({ status: callback.status, location: callback.headers.location, text: callback.text }).toEqual(
      expect.objectContaining({ status: 302, location: '/ui/' }),
    );
    const me = await browser.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(
      expect.objectContaining({
        kind: 'session',
        user: expect.objectContaining({ userName: 'ada@example.com', displayName: 'Ada Lovelace' }),
        csrfToken: expect.stringMatching(/^[\w-]{40,}$/),
      }),
    );
  });
});
