import {
  configureSignIn,
  type KeyscopeBrowser,
  signInThrough,
  startProvider,
  type TestProvider,
} from '../support/oidc.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;
let scim: ScimClient;
let ada: string;
let other: string;
let readers: string;
let writers: string;
let elsewhere: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, KEYSCOPE_PERMISSIONS: 'reports:read,reports:write' } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  scim = await scimClient(app);
  ada = (await scim.post('/Users', oktaUser('ada@example.com'))).body.id;
  other = (await scim.post('/Users', oktaUser('bob@example.com'))).body.id;
  readers = (await scim.post('/Groups', { displayName: 'Readers', members: [{ value: ada }] })).body.id;
  writers = (await scim.post('/Groups', { displayName: 'Writers', members: [{ value: ada }] })).body.id;
  elsewhere = (await scim.post('/Groups', { displayName: 'Elsewhere', members: [{ value: other }] })).body.id;
  const rules = async (id: string, permission: string) =>
    app.http
      .put(`/api/v1/groups/${id}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ rules: [{ permission }] });
  await rules(readers, 'reports:read');
  await rules(writers, 'reports:write');
  await rules(elsewhere, 'reports:read');
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

async function session(): Promise<{
  browser: KeyscopeBrowser;
  write: (m: 'post' | 'patch' | 'delete', path: string, body?: unknown) => ReturnType<KeyscopeBrowser['send']>;
}> {
  const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
  const csrf = await browser.csrf();
  return { browser, write: (m, path, body) => browser.send(m, `/api/v1${path}`, body, { 'X-CSRF-Token': csrf }) };
}

const allowed = async (token: string, permission: string) =>
  (await app.http.post('/api/v1/authorize').set('Authorization', `Bearer ${token}`).send({ permission })).body.allowed;

describe('self-service keys: a signed-in person manages their own personal keys with no special permission', () => {
  it('creates, lists, uses, renames, rotates and revokes their own key', async () => {
    const { browser, write } = await session();
    // Ada holds reports:read and reports:write, and no keys:* permission at all.
    const me = (await browser.get('/api/v1/me')).body;
    expect(me.can['keys:write']).toBe(false);
    const created = await write('post', '/keys', { name: 'laptop' });
    expect(created.status).toBe(201);
    expect(created.body.key).toEqual(expect.objectContaining({ kind: 'personal', ownerUserId: ada }));
    const token = created.body.token as string;
    expect(await allowed(token, 'reports:write')).toBe(true);
    const mine = await browser.get('/api/v1/keys');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((k: { id: string }) => k.id)).toContain(created.body.key.id);
    expect((await write('patch', `/keys/${created.body.key.id}`, { name: 'old laptop' })).body.name).toBe('old laptop');
    const rotated = await write('post', `/keys/${created.body.key.id}/rotate`, {});
    expect(rotated.status).toBe(201);
    const revoked = await write('delete', `/keys/${rotated.body.key.id}`);
    expect(revoked.body.status).toBe('revoked');
  });

  it('may narrow a key to one of their groups or to a permission subset; it follows the owner live', async () => {
    const { write } = await session();
    const toGroup = await write('post', '/keys', { name: 'reader', groupId: readers });
    expect(toGroup.status).toBe(201);
    expect(await allowed(toGroup.body.token, 'reports:read')).toBe(true);
    expect(await allowed(toGroup.body.token, 'reports:write')).toBe(false);
    const notTheirs = await write('post', '/keys', { name: 'x', groupId: elsewhere });
    expect(notTheirs.status).toBe(400);
    const subset = await write('post', '/keys', { name: 'subset', permissions: ['reports:write'] });
    expect(subset.status).toBe(201);
    expect(await allowed(subset.body.token, 'reports:read')).toBe(false);
    // The identity provider takes Ada out of Writers: the subset key holds nothing any more.
    await scim.patch(`/Groups/${writers}`, patchOp({ op: 'remove', path: `members[value eq "${ada}"]` }));
    expect(await allowed(subset.body.token, 'reports:write')).toBe(false);
    await scim.patch(`/Groups/${writers}`, patchOp({ op: 'add', path: 'members', value: [{ value: ada }] }));
  });

  it('creating keys for others, service keys and SCIM keys keep their rules', async () => {
    const { write } = await session();
    expect((await write('post', '/keys', { name: 'for bob', ownerUserId: other })).status).toBe(403);
    expect((await write('post', '/keys', { name: 'svc', kind: 'service', groupId: readers })).status).toBe(403);
    expect((await write('post', '/keys', { name: 'scim', scim: true })).status).toBe(403);
    // Bob's keys are not Ada's to see or change.
    const bobs = await createKey(app, { name: 'bob', ownerUserId: other });
    expect((await write('delete', `/keys/${bobs.id}`)).status).toBe(404);
  });

  it("a personal key's holder acting for themselves may make their own keys, never beyond the key they use", async () => {
    const full = await createKey(app, { name: 'ada full', ownerUserId: ada });
    const made = await app.http
      .post('/api/v1/keys')
      .set('Authorization', `Bearer ${full.token}`)
      .send({ name: 'from key' });
    expect(made.status).toBe(201);
    const narrow = await createKey(app, { name: 'ada narrow', ownerUserId: ada, permissions: ['reports:read'] });
    const wider = await app.http
      .post('/api/v1/keys')
      .set('Authorization', `Bearer ${narrow.token}`)
      .send({ name: 'wider' });
    expect({ status: wider.status, detail: wider.body.detail }).toEqual({
      status: 403,
      detail: expect.stringMatching(/reports:write/),
    });
  });

  it('the organization may turn self-service off (selfServiceKeys false); keys:write holders are unaffected', async () => {
    const off = await app.http
      .patch('/api/v1/organizations/current')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ selfServiceKeys: false });
    expect(off.body.policy.selfServiceKeys).toBe(false);
    try {
      const { browser, write } = await session();
      const refused = await write('post', '/keys', { name: 'nope' });
      expect({ status: refused.status, detail: refused.body.detail }).toEqual({
        status: 403,
        detail: expect.stringMatching(/selfServiceKeys/),
      });
      expect((await browser.get('/api/v1/keys')).status).toBe(403);
    } finally {
      await app.http
        .patch('/api/v1/organizations/current')
        .set('Authorization', `Bearer ${app.adminToken}`)
        .send({ selfServiceKeys: true });
    }
    const org = await app.http.get('/api/v1/organizations/current').set('Authorization', `Bearer ${app.adminToken}`);
    expect(org.body.policy.selfServiceKeys).toBe(true);
  });
});
