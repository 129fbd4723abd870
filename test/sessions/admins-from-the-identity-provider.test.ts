import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The documented path (README "Admins from your identity provider", docs/okta.md, docs/entra-id.md):
 * the identity provider pushes a group "keyscope-admins"; the bootstrap key gives it role admin; its
 * members sign in and administer. The bootstrap key stays the break-glass credential.
 */
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

describe('admins come from the identity provider', () => {
  it('a member of a pushed group mapped to role admin signs in and creates a key for someone else', async () => {
    const scim = await scimClient(app);
    const grace = (await scim.post('/Users', oktaUser('grace@example.com'))).body.id as string;
    const bob = (await scim.post('/Users', oktaUser('bob@example.com'))).body.id as string;
    const admins = (await scim.post('/Groups', { displayName: 'keyscope-admins', members: [{ value: grace }] })).body
      .id as string;
    // The bootstrap key maps the pushed group to role admin.
    const mapped = await app.http
      .put(`/api/v1/groups/${admins}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ rules: [{ role: 'admin' }] });
    expect(mapped.status).toBe(200);
    expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);

    provider.accounts.set('okta-grace', { preferred_username: 'grace@example.com' });
    const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-grace');
    const me = (await browser.get('/api/v1/me')).body;
    expect(me.can['org:admin']).toBe(true);
    const created = await browser.send(
      'post',
      '/api/v1/keys',
      { name: "Bob's key", ownerUserId: bob },
      { 'X-CSRF-Token': me.csrfToken },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toEqual(
      expect.objectContaining({
        ownerUserId: bob,
        createdBy: { id: `user:${grace}`, name: 'grace@example.com (via sign-in)' },
      }),
    );
    const audit = await app.http
      .get('/api/v1/audit?action=key.create')
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(audit.body.items[0]).toEqual(
      expect.objectContaining({
        actor: { id: `user:${grace}`, name: 'grace@example.com (via sign-in)' },
        details: expect.objectContaining({ ownerUserId: bob, forAnotherUser: true }),
      }),
    );
    // The bootstrap key still works: the break-glass credential.
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${app.adminToken}`)).body.key.name).toBe(
      'Bootstrap admin key',
    );
  });
});
