import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

let app: TestApp;
let scim: ScimClient;
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function user(name: string): Promise<string> {
  const res = await scim.post('/Users', oktaUser(`${name}@example.com`));
  return res.body.id as string;
}

async function group(name: string, members: string[] = []): Promise<string> {
  const res = await scim.post('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: name,
    members: members.map((value) => ({ value })),
  });
  return res.body.id as string;
}

async function setRules(groupId: string, rules: unknown[]) {
  const res = await app.http.put(`/api/v1/groups/${groupId}/rules`).set(admin()).send({ rules });
  expect(res.status).toBe(200);
}

async function allowed(token: string, permission: string, resource?: string): Promise<boolean> {
  const res = await app.http
    .post('/api/v1/authorize')
    .set(bearer(token))
    .send({ permission, ...(resource ? { resource } : {}) });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'projects:read,projects:write,deploys:run' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('what a key may do (DESIGN §5)', () => {
  it('a service key holds its group rules, live: a rule change applies to the next request', async () => {
    const g = await group('Engineering');
    await setRules(g, [{ permission: 'projects:read' }]);
    const { token } = await createKey(app, { name: 'eng service', groupId: g });
    expect(await allowed(token, 'projects:read')).toBe(true);
    expect(await allowed(token, 'projects:write')).toBe(false);
    await setRules(g, [{ permission: 'projects:*' }]);
    expect(await allowed(token, 'projects:write')).toBe(true);
    await setRules(g, []);
    expect(await allowed(token, 'projects:read')).toBe(false);
  });

  it('a nested group adds the rules of every group it sits in, transitively, and loses them when un-nested', async () => {
    const top = await group('All Staff');
    const mid = await group('R&D');
    const leaf = await group('Platform');
    await scim.patch(`/Groups/${top}`, patchOp({ op: 'add', path: 'members', value: [{ value: mid }] }));
    await scim.patch(`/Groups/${mid}`, patchOp({ op: 'add', path: 'members', value: [{ value: leaf }] }));
    await setRules(top, [{ permission: 'projects:read' }]);
    await setRules(leaf, [{ permission: 'deploys:run' }]);
    const { token } = await createKey(app, { name: 'platform bot', groupId: leaf });
    expect(await allowed(token, 'projects:read')).toBe(true);
    expect(await allowed(token, 'deploys:run')).toBe(true);
    await scim.patch(`/Groups/${top}`, patchOp({ op: 'remove', path: `members[value eq "${mid}"]` }));
    expect(await allowed(token, 'projects:read')).toBe(false);
    expect(await allowed(token, 'deploys:run')).toBe(true);
  });

  it('refuses a nesting that would make a cycle with 400 invalidValue', async () => {
    const a = await group('Cycle A');
    const b = await group('Cycle B', [a]);
    const res = await scim.patch(`/Groups/${a}`, patchOp({ op: 'add', path: 'members', value: [{ value: b }] }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    const self = await scim.patch(`/Groups/${a}`, patchOp({ op: 'add', path: 'members', value: [{ value: a }] }));
    expect(self.status).toBe(400);
  });

  it('resources narrow a rule to named ids', async () => {
    const g = await group('Project Alpha');
    await setRules(g, [{ permission: 'projects:write', resources: ['alpha'] }]);
    const { token } = await createKey(app, { name: 'alpha', groupId: g });
    expect(await allowed(token, 'projects:write', 'alpha')).toBe(true);
    expect(await allowed(token, 'projects:write', 'beta')).toBe(false);
    const noResource = await app.http
      .post('/api/v1/authorize')
      .set(bearer(token))
      .send({ permission: 'projects:write' });
    expect(noResource.body).toEqual({ allowed: false, reason: expect.stringContaining('specific resources') });
  });

  it('an explicit permission list narrows what a key inherits ("Read only")', async () => {
    const g = await group('Writers');
    await setRules(g, [{ permission: 'projects:*' }]);
    const { token } = await createKey(app, { name: 'read only', groupId: g, permissions: ['*:read'] });
    expect(await allowed(token, 'projects:read')).toBe(true);
    expect(await allowed(token, 'projects:write')).toBe(false);
  });

  it('a personal key follows its owner: suspended when deactivated, active again when reactivated', async () => {
    const alice = await user('alice');
    const g = await group('Alice team', [alice]);
    await setRules(g, [{ permission: 'projects:read' }]);
    const { token, id } = await createKey(app, { name: 'alice laptop', kind: 'personal', ownerUserId: alice });
    expect(await allowed(token, 'projects:read')).toBe(true);
    await scim.patch(`/Users/${alice}`, patchOp({ op: 'replace', value: { active: false } }));
    const denied = await app.http.get('/api/v1/me').set(bearer(token));
    expect(denied.status).toBe(401);
    expect(denied.body.code).toBe('owner_inactive');
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body).toMatchObject({
      status: 'suspended',
      statusReason: 'owner_inactive',
    });
    await scim.patch(`/Users/${alice}`, patchOp({ op: 'replace', path: 'active', value: true }));
    expect(await allowed(token, 'projects:read')).toBe(true);
  });

  it('a personal key narrowed to a group is suspended while its owner is out of that group', async () => {
    const bob = await user('bob');
    const g = await group('Bob team', [bob]);
    await setRules(g, [{ permission: 'projects:read' }]);
    const { token } = await createKey(app, { name: 'bob ci', kind: 'personal', ownerUserId: bob, groupId: g });
    expect(await allowed(token, 'projects:read')).toBe(true);
    await scim.patch(`/Groups/${g}`, patchOp({ op: 'remove', path: `members[value eq "${bob}"]` }));
    const denied = await app.http.get('/api/v1/me').set(bearer(token));
    expect(denied.status).toBe(401);
    expect(denied.body.code).toBe('owner_left_group');
    await scim.patch(`/Groups/${g}`, patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }));
    expect(await allowed(token, 'projects:read')).toBe(true);
  });

  it('a personal key counts nested membership: leaving the nested group suspends it', async () => {
    const carol = await user('carol');
    const inner = await group('Carol inner', [carol]);
    const outer = await group('Carol outer', [inner]);
    await setRules(outer, [{ permission: 'projects:read' }]);
    const { token } = await createKey(app, { name: 'carol', kind: 'personal', ownerUserId: carol, groupId: outer });
    expect(await allowed(token, 'projects:read')).toBe(true);
    await scim.patch(`/Groups/${outer}`, patchOp({ op: 'remove', path: 'members', value: [{ value: inner }] }));
    expect((await app.http.get('/api/v1/me').set(bearer(token))).body.code).toBe('owner_left_group');
  });

  it('a service key whose group the identity provider deletes is suspended, and never gains power', async () => {
    const g = await group('Doomed');
    await setRules(g, [{ permission: 'projects:read' }]);
    const { token, id } = await createKey(app, { name: 'doomed svc', groupId: g });
    expect(await allowed(token, 'projects:read')).toBe(true);
    expect((await scim.delete(`/Groups/${g}`)).status).toBe(204);
    const denied = await app.http.get('/api/v1/me').set(bearer(token));
    expect(denied.status).toBe(401);
    expect(denied.body.code).toBe('group_deleted');
    // Re-creating a group with the same name does not revive the key: it was scoped to the old id.
    await group('Doomed');
    expect((await app.http.get('/api/v1/me').set(bearer(token))).status).toBe(401);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body).toMatchObject({
      status: 'suspended',
      statusReason: 'group_deleted',
    });
  });

  it('a deleted owner suspends their personal keys', async () => {
    const dave = await user('dave');
    const g = await group('Dave team', [dave]);
    await setRules(g, [{ permission: 'projects:read' }]);
    const { token } = await createKey(app, { name: 'dave', kind: 'personal', ownerUserId: dave });
    expect(await allowed(token, 'projects:read')).toBe(true);
    await scim.delete(`/Users/${dave}`);
    expect((await app.http.get('/api/v1/me').set(bearer(token))).body.code).toBe('owner_inactive');
  });
});
