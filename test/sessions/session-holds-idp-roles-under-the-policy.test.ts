import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// A session resolves like its person's personal key: under the organization policy idpRoles, the
// roles the identity provider assigned them grant in a session too, and a change reaches it live.
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;
let scim: ScimClient;
let userId: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  scim = await scimClient(app);
  userId = (await scim.post('/Users', oktaUser('rae@example.com', { roles: [{ value: 'viewer' }] }))).body.id;
  provider.accounts.set('rae', { preferred_username: 'rae@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

const setPolicy = async (idpRoles: boolean) =>
  expect(
    (
      await app.http
        .patch('/api/v1/organizations/current')
        .set('Authorization', `Bearer ${app.adminToken}`)
        .send({ idpRoles })
    ).status,
  ).toBe(200);

it('a session holds its person’s IdP roles only while idpRoles is on, and loses a role at its next request', async () => {
  const { browser } = await signInThrough(app.keyscope.app, provider, 'rae');
  const may = async (permission: string) => {
    const res = await browser.send(
      'post',
      '/api/v1/authorize',
      { permission },
      { 'X-CSRF-Token': await browser.csrf() },
    );
    expect(res.status).toBe(200);
    return res.body.allowed as boolean;
  };
  expect(await may('audit:read')).toBe(false);
  await setPolicy(true);
  expect(await may('audit:read')).toBe(true);
  await scim.patch(`/Users/${userId}`, patchOp({ op: 'remove', path: 'roles[value eq "viewer"]' }));
  expect(await may('audit:read')).toBe(false);
  await setPolicy(false);
});
