import { eventually, startTwoProcesses } from '../support/two-processes.js';
import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, patchOp, scimClient, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Two keyscope processes on one database (as test/access/pickup-across-processes does for keys): a
 * session signed in on one and used on the other must follow the identity provider within 1 second.
 */
const PUBLIC_URL = 'http://keyscope.test';
let one: TestApp;
let two: TestApp;
let provider: TestProvider;
let scim: ScimClient;

beforeAll(async () => {
  const env = { PUBLIC_URL, KEYSCOPE_PERMISSIONS: 'reports:read' };
  ({ one, two } = await startTwoProcesses(env));
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  scim = await scimClient(one);
  expect((await configureSignIn(one.keyscope.app, one.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await two.close();
  await one.close();
});

/** A person provisioned in a group granting reports:read, signed in on process one; their cookie. */
async function signedInReader(name: string): Promise<{ userId: string; groupId: string; cookie: string }> {
  const userId = (await scim.post('/Users', oktaUser(`${name}@example.com`))).body.id as string;
  const groupId = (await scim.post('/Groups', { displayName: `Readers ${name}`, members: [{ value: userId }] })).body
    .id as string;
  await one.http
    .put(`/api/v1/groups/${groupId}/rules`)
    .set('Authorization', `Bearer ${one.adminToken}`)
    .send({ rules: [{ permission: 'reports:read' }] });
  provider.accounts.set(`okta-${name}`, { preferred_username: `${name}@example.com` });
  const { browser, callback } = await signInThrough(one.keyscope.app, provider, `okta-${name}`);
  expect(callback.status).toBe(302);
  return { userId, groupId, cookie: browser.jar.header() };
}

const me = (app: TestApp, cookie: string) => app.http.get('/api/v1/me').set('Cookie', cookie);
async function allowed(app: TestApp, cookie: string, permission: string): Promise<boolean> {
  const csrf = (await me(app, cookie)).body.csrfToken as string;
  const res = await app.http
    .post('/api/v1/authorize')
    .set('Cookie', cookie)
    .set('X-CSRF-Token', csrf)
    .send({ permission });
  return res.body.allowed === true;
}

describe('sessions follow the identity provider on every process', () => {
  it('deactivating the person on one process ends their session on the other within 1 second', async () => {
    const { userId, cookie } = await signedInReader('dora');
    expect((await me(two, cookie)).status).toBe(200);
    await scim.patch(`/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } }));
    await eventually(async () => (await me(two, cookie)).status === 401, 1000);
    const res = await me(two, cookie);
    expect(res.body.code).toBe('owner_inactive');
    // Reactivating them does not bring the ended session back: they sign in again.
    await scim.patch(`/Users/${userId}`, patchOp({ op: 'replace', value: { active: true } }));
    expect((await me(one, cookie)).status).toBe(401);
  });

  it('removing the person from a group narrows their session on the other process within 1 second', async () => {
    const { userId, groupId, cookie } = await signedInReader('eve');
    expect(await allowed(two, cookie, 'reports:read')).toBe(true);
    await scim.patch(`/Groups/${groupId}`, patchOp({ op: 'remove', path: `members[value eq "${userId}"]` }));
    await eventually(async () => !(await allowed(two, cookie, 'reports:read')), 1000);
    expect((await me(two, cookie)).status).toBe(200);
  });

  it('signing out on one process ends the session on the other within 1 second', async () => {
    const { cookie } = await signedInReader('finn');
    expect((await me(two, cookie)).status).toBe(200);
    const csrf = (await me(one, cookie)).body.csrfToken as string;
    expect((await one.http.post('/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf)).body.ended).toBe(true);
    await eventually(async () => (await me(two, cookie)).status === 401, 1000);
  });

  it('a cached session costs no database access (GET /me, POST /authorize)', async () => {
    const { cookie } = await signedInReader('gus');
    expect((await me(two, cookie)).status).toBe(200);
    const query = two.db.query.bind(two.db);
    let queries = 0;
    two.db.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof two.db.query;
    try {
      for (let i = 0; i < 5; i++) {
        expect((await me(two, cookie)).status).toBe(200);
        expect(await allowed(two, cookie, 'reports:read')).toBe(true);
      }
    } finally {
      two.db.query = query;
    }
    expect(queries).toBe(0);
  });
});
