import { bearer, uniqueName } from '../support/orgs.js';
import {
  GROUP_SCHEMA,
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Who may do what with keys (DESIGN §4): service keys need keys:manage, personal keys for oneself
 * keys:write, the SCIM flag org:admin; without org:admin nobody creates, moves, rotates or writes
 * rules granting more than it holds itself.
 */

let app: TestApp;
let scim: ScimClient;
const admin = () => bearer(app.adminToken);

let adminsGroupId: string;
let developers: string; // SCIM group with role developer
let dev: string; // SCIM user in Developers
let otherDev: string; // SCIM user in Developers
let devToken: string; // dev's personal key
let managerToken: string; // service key with role key-manager
let managerKeyId: string;

async function scimUser(name: string): Promise<string> {
  const res = await scim.post('/Users', oktaUser(`${name}-${Math.random().toString(36).slice(2, 7)}@example.com`));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function scimGroup(name: string, members: string[]): Promise<string> {
  const res = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: uniqueName(name),
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function localGroup(name: string, rules: unknown[]): Promise<string> {
  const res = await app.http
    .post('/api/v1/groups')
    .set(admin())
    .send({ displayName: uniqueName(name), rules });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function setRules(groupId: string, rules: unknown[]): Promise<void> {
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

const post = (token: string, body: Record<string, unknown>) =>
  app.http.post('/api/v1/keys').set(bearer(token)).send(body);
const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'projects:read,projects:write' } });
  scim = await scimClient(app);
  adminsGroupId = (await app.http.get('/api/v1/groups?q=Admins&source=local').set(admin())).body.items.find(
    (g: { displayName: string }) => g.displayName === 'Admins',
  ).id;
  dev = await scimUser('dev');
  otherDev = await scimUser('other-dev');
  developers = await scimGroup('Developers', [dev, otherDev]);
  await setRules(developers, [{ role: 'developer' }]);
  devToken = (await createKey(app, { name: 'dev personal', ownerUserId: dev })).token;
  const managers = await localGroup('Key managers', [{ role: 'key-manager' }]);
  const manager = await createKey(app, { name: 'key manager', groupId: managers });
  managerToken = manager.token;
  managerKeyId = manager.id;
});
afterAll(() => app.close());

describe('the SCIM flag needs org:admin', () => {
  it('an org:admin key creates a key with the SCIM flag', async () => {
    const res = await post(app.adminToken, { name: 'idp', scim: true });
    expect(res.status).toBe(201);
    expect(res.body.key.scim).toBe(true);
  });

  it('a keys:manage key without org:admin gets 403 creating one', async () => {
    expect(await allowed(managerToken, 'keys:manage')).toBe(true);
    const res = await post(managerToken, { name: 'idp by manager', scim: true });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/org:admin/);
  });

  it('a keys:manage key without org:admin gets 403 rotating one, and the SCIM key stays active', async () => {
    const { id } = await createKey(app, { name: 'idp to rotate', scim: true });
    const res = await app.http.post(`/api/v1/keys/${id}/rotate`).set(bearer(managerToken)).send({});
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/org:admin/);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.status).toBe('active');
  });
});

describe('service keys need keys:manage', () => {
  it('a developer’s personal key gets 403 creating a service key, naming keys:manage', async () => {
    const res = await post(devToken, { name: 'sneaky service', kind: 'service' });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/keys:manage/);
  });

  it('a key-manager key creates a service key', async () => {
    const res = await post(managerToken, { name: 'plain service' });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatchObject({ kind: 'service', createdBy: { id: `key:${managerKeyId}` } });
  });
});

describe('personal keys', () => {
  it('a personal key with keys:write creates another personal key for its owner', async () => {
    expect(await allowed(devToken, 'keys:write')).toBe(true);
    expect(await allowed(devToken, 'keys:manage')).toBe(false);
    const res = await post(devToken, { name: 'my second key', kind: 'personal' });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatchObject({ kind: 'personal', ownerUserId: dev });
    expect(await allowed(res.body.token, 'keys:write')).toBe(true);
    const named = await post(devToken, { name: 'my third key', ownerUserId: dev });
    expect(named.status).toBe(201);
    expect(named.body.key).toMatchObject({ kind: 'personal', ownerUserId: dev });
  });

  it('a personal key that names no kind gets a personal key for its owner, not a refused service key', async () => {
    const res = await post(devToken, { name: 'kindless' });
    expect({ status: res.status, kind: res.body.key?.kind, detail: res.body.detail }).toEqual({
      status: 201,
      kind: 'personal',
      detail: undefined,
    });
  });

  it('the same personal key gets 403 creating a key for someone else', async () => {
    const res = await post(devToken, { name: 'for a colleague', ownerUserId: otherDev });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/org:admin/);
  });

  // Issue 11: self-service keys. Without keys:write a person may still make their own personal
  // keys, unless the organization turns that off (policy selfServiceKeys).
  it('a personal key without keys:write creates a key for itself (self-service), and gets 403 when self-service is off', async () => {
    const viewer = await scimUser('viewer');
    const viewers = await scimGroup('Viewers', [viewer]);
    await setRules(viewers, [{ role: 'viewer' }]);
    const { token } = await createKey(app, { name: 'viewer personal', ownerUserId: viewer });
    expect((await post(token, { name: 'viewer second key', kind: 'personal' })).status).toBe(201);
    const policy = (selfServiceKeys: boolean) =>
      app.http
        .patch('/api/v1/organizations/current')
        .set('Authorization', `Bearer ${app.adminToken}`)
        .send({ selfServiceKeys });
    await policy(false);
    try {
      const res = await post(token, { name: 'viewer third key', kind: 'personal' });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/keys:write/);
    } finally {
      await policy(true);
    }
  });

  it('a personal key narrowed to a group its owner is not in is refused with 400 naming groupId', async () => {
    const elsewhere = await scimGroup('Not dev’s group', []);
    const res = await post(app.adminToken, { name: 'wrong group', ownerUserId: dev, groupId: elsewhere });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['groupId']);
    const ok = await post(app.adminToken, { name: 'right group', ownerUserId: dev, groupId: developers });
    expect(ok.status).toBe(201);
  });

  it('a personal key for an unknown owner is refused with 400 naming ownerUserId', async () => {
    const res = await post(app.adminToken, { name: 'nobody’s', ownerUserId: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['ownerUserId']);
  });

  it('a personal key for a deactivated owner is refused with 400 naming ownerUserId', async () => {
    const gone = await scimUser('deactivated');
    expect((await scim.patch(`/Users/${gone}`, patchOp({ op: 'replace', value: { active: false } }))).status).toBe(200);
    const res = await post(app.adminToken, { name: 'for the departed', ownerUserId: gone });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['ownerUserId']);
    expect(res.body.detail).toMatch(/deactivated/);
  });
});

describe('no escalation without org:admin', () => {
  it('a key-manager key creates keys for a group whose grant is a subset of its own', async () => {
    const readers = await localGroup('Readers', [{ permission: 'keys:read' }, { permission: 'groups:read' }]);
    const res = await post(managerToken, { name: 'reader bot', groupId: readers });
    expect(res.status).toBe(201);
  });

  it('a key-manager key gets 403 naming the missing permission for a group with role admin', async () => {
    const res = await post(managerToken, { name: 'admin bot', groupId: adminsGroupId });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('*');
    expect(res.body.detail).toMatch(/does not hold/);
  });

  it('a key-manager key gets 403 naming the one permission it lacks', async () => {
    const auditors = await localGroup('Auditors', [{ permission: 'keys:read' }, { permission: 'audit:read' }]);
    const res = await post(managerToken, { name: 'auditor bot', groupId: auditors });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/audit:read/);
    expect(res.body.detail).not.toMatch(/keys:read/);
  });

  it('a group’s grant includes what it inherits through nesting', async () => {
    const parent = await scimGroup('Admin parent', []);
    const child = await scimGroup('Innocent child', []);
    await scim.patch(`/Groups/${parent}`, patchOp({ op: 'add', path: 'members', value: [{ value: child }] }));
    await setRules(parent, [{ role: 'admin' }]);
    await setRules(child, [{ permission: 'keys:read' }]);
    const res = await post(managerToken, { name: 'nested admin bot', groupId: child });
    expect(res.status).toBe(403);
  });

  it('a key-manager key gets 403 creating a personal key for anyone else, whatever they hold (only org:admin may)', async () => {
    const boss = await scimUser('boss');
    const bosses = await scimGroup('Bosses', [boss]);
    await setRules(bosses, [{ role: 'admin' }]);
    const res = await post(managerToken, { name: 'boss key', ownerUserId: boss });
    expect(res.status).toBe(403);
    expect((await post(managerToken, { name: 'dev key by manager', ownerUserId: dev })).status).toBe(403);
  });

  it('an explicit permissions subset narrows the new key’s grant to what the creator holds', async () => {
    const res = await post(managerToken, {
      name: 'narrowed admin bot',
      groupId: adminsGroupId,
      permissions: ['keys:read'],
    });
    expect(res.status).toBe(201);
    expect(await allowed(res.body.token, 'keys:read')).toBe(true);
    expect(await allowed(res.body.token, 'org:admin')).toBe(false);
  });

  it('a key-manager key cannot move a service key into a group granting more than it holds', async () => {
    const { id } = await createKey(app, { name: 'to promote' }, managerToken);
    const res = await app.http.patch(`/api/v1/keys/${id}`).set(bearer(managerToken)).send({ groupId: adminsGroupId });
    expect(res.status).toBe(403);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body.groupId).toBeNull();
  });

  it('a key-manager key cannot rotate an admin key into a fresh admin token', async () => {
    const adminKey = await createKey(app, { name: 'second admin key', groupId: adminsGroupId });
    const res = await app.http.post(`/api/v1/keys/${adminKey.id}/rotate`).set(bearer(managerToken)).send({});
    const gotAdmin = res.status === 201 ? await allowed(res.body.token as string, 'org:admin') : false;
    expect({ status: res.status, newTokenHasOrgAdmin: gotAdmin }).toEqual({ status: 403, newTokenHasOrgAdmin: false });
  });

  it('a key-manager key cannot revoke or rename a key granting more than it holds, nor a SCIM key; it can its peers', async () => {
    const adminKey = await createKey(app, { name: 'admin key to keep', groupId: adminsGroupId });
    const idp = await createKey(app, { name: 'idp to keep', scim: true });
    for (const id of [adminKey.id, idp.id]) {
      const revoke = await app.http.delete(`/api/v1/keys/${id}`).set(bearer(managerToken));
      const rename = await app.http
        .patch(`/api/v1/keys/${id}`)
        .set(bearer(managerToken))
        .send({ name: 'owned by the key manager' });
      expect({ revoke: revoke.status, rename: rename.status, detail: revoke.body.detail }).toEqual({
        revoke: 403,
        rename: 403,
        detail: expect.stringMatching(/org:admin/),
      });
      expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body).toMatchObject({
        status: 'active',
        name: expect.not.stringContaining('key manager'),
      });
    }
    const bulk = await app.http.post('/api/v1/keys/revoke').set(bearer(managerToken)).send({ groupId: adminsGroupId });
    expect(bulk.status).toBe(403);
    expect((await app.http.get(`/api/v1/keys/${adminKey.id}`).set(admin())).body.status).toBe('active');

    const peer = await createKey(app, {
      name: 'reader made by admin',
      permissions: ['keys:read'],
      groupId: adminsGroupId,
    });
    expect((await app.http.delete(`/api/v1/keys/${peer.id}`).set(bearer(managerToken))).status).toBe(200);
    expect((await app.http.delete(`/api/v1/keys/${adminKey.id}`).set(admin())).status).toBe(200);
  });

  describe('rules: PUT /api/v1/groups/:id/rules', () => {
    let writer: string;
    let target: string;

    beforeAll(async () => {
      const writers = await localGroup('Rule writers', [
        { role: 'key-manager' },
        { permission: 'groups:write' },
        { permission: 'projects:read', resources: ['alpha'] },
      ]);
      writer = (await createKey(app, { name: 'rule writer', groupId: writers })).token;
      target = await localGroup('Rule target', []);
    });

    const put = (rules: unknown[]) =>
      app.http.put(`/api/v1/groups/${target}/rules`).set(bearer(writer)).send({ rules });

    it('a key without groups:write gets 403', async () => {
      const res = await app.http
        .put(`/api/v1/groups/${target}/rules`)
        .set(bearer(managerToken))
        .send({ rules: [{ permission: 'keys:read' }] });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/groups:write/);
    });

    it('grants what the caller holds', async () => {
      const res = await put([{ permission: 'keys:read' }, { permission: 'projects:read', resources: ['alpha'] }]);
      expect(res.status).toBe(200);
      expect(res.body.rules).toEqual([
        { permission: 'keys:read' },
        { permission: 'projects:read', resources: ['alpha'] },
      ]);
    });

    it.each([
      [[{ permission: 'audit:read' }], 'audit:read'],
      [[{ role: 'admin' }], '*'],
      [[{ permission: 'keys:read' }, { permission: 'org:admin' }], 'org:admin'],
      [[{ permission: 'projects:read' }], 'projects:read'],
      [[{ permission: 'projects:read', resources: ['alpha', 'beta'] }], 'projects:read'],
    ])('refuses %j with 403 naming %s, and the rules stay as they were', async (rules, missing) => {
      const before = (await app.http.get(`/api/v1/groups/${target}`).set(admin())).body.rules;
      const res = await put(rules);
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain(missing);
      expect((await app.http.get(`/api/v1/groups/${target}`).set(admin())).body.rules).toEqual(before);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'refuses the role %j, a name every JavaScript object has, with 400',
      async (role) => {
        for (const res of [
          await put([{ role }]),
          await app.http
            .put(`/api/v1/groups/${target}/rules`)
            .set(admin())
            .send({ rules: [{ role }] }),
        ]) {
          expect({ status: res.status, detail: res.body.detail }).toEqual({
            status: 400,
            detail: expect.stringContaining(role),
          });
        }
        const created = await app.http
          .post('/api/v1/groups')
          .set(admin())
          .send({ displayName: uniqueName('Prototype'), rules: [{ role }] });
        expect(created.status).toBe(400);
      },
    );

    it('refuses a local group created with rules granting more than the caller holds', async () => {
      const res = await app.http
        .post('/api/v1/groups')
        .set(bearer(writer))
        .send({ displayName: uniqueName('Self-made admins'), rules: [{ role: 'admin' }] });
      expect(res.status).toBe(403);
    });
  });
});

describe('listing: owner=me and owner=all', () => {
  it('owner=all needs keys:manage', async () => {
    const res = await app.http.get('/api/v1/keys?owner=all').set(bearer(devToken));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/keys:manage/);
    expect((await app.http.get('/api/v1/keys?owner=all').set(bearer(managerToken))).status).toBe(200);
  });

  it('owner=me (the default without keys:manage) shows only one’s own keys', async () => {
    await createKey(app, { name: 'other dev key', ownerUserId: otherDev });
    for (const url of ['/api/v1/keys?limit=100', '/api/v1/keys?owner=me&limit=100']) {
      const res = await app.http.get(url).set(bearer(devToken));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.every((k: { ownerUserId: string | null }) => k.ownerUserId === dev)).toBe(true);
    }
  });

  it('a key sees itself among its own keys, and may rotate itself with keys:write', async () => {
    const readers = await localGroup('Self readers', [{ permission: 'keys:read' }, { permission: 'keys:write' }]);
    const self = await createKey(app, { name: 'self-aware service key', groupId: readers });
    const listed = await app.http.get('/api/v1/keys?owner=me').set(bearer(self.token));
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([self.id]);
    expect((await app.http.get(`/api/v1/keys/${self.id}`).set(bearer(self.token))).status).toBe(200);
    const rotated = await app.http.post(`/api/v1/keys/${self.id}/rotate`).set(bearer(self.token)).send({});
    expect(rotated.status).toBe(201);
    expect((await app.http.get('/api/v1/me').set(bearer(self.token))).status).toBe(401);
    expect((await app.http.get('/api/v1/me').set(bearer(rotated.body.token))).status).toBe(200);
  });

  it('a developer cannot read or change someone else’s key: it reads as unknown', async () => {
    const { id } = await createKey(app, { name: 'colleague key', ownerUserId: otherDev });
    expect((await app.http.get(`/api/v1/keys/${id}`).set(bearer(devToken))).status).toBe(404);
    expect((await app.http.patch(`/api/v1/keys/${id}`).set(bearer(devToken)).send({ name: 'mine now' })).status).toBe(
      404,
    );
    expect((await app.http.delete(`/api/v1/keys/${id}`).set(bearer(devToken))).status).toBe(404);
    expect((await app.http.get(`/api/v1/keys/${id}`).set(admin())).body).toMatchObject({
      name: 'colleague key',
      status: 'active',
    });
  });
});

describe('moving a service key to another group', () => {
  it('is audited as key.move and takes effect at the next request', async () => {
    const readers = await localGroup('Move from', [{ permission: 'keys:read' }]);
    const auditors = await localGroup('Move to', [{ permission: 'audit:read' }]);
    const { id, token } = await createKey(app, { name: 'mover', groupId: readers });
    expect(await allowed(token, 'keys:read')).toBe(true);
    expect(await allowed(token, 'audit:read')).toBe(false);

    const res = await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ groupId: auditors });
    expect(res.status).toBe(200);
    expect(res.body.groupId).toBe(auditors);
    expect(await allowed(token, 'audit:read')).toBe(true);
    expect(await allowed(token, 'keys:read')).toBe(false);

    const audit = await app.http.get(`/api/v1/audit?action=key.move&target=key:${id}`).set(admin());
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      action: 'key.move',
      target: `key:${id}`,
      details: { groupId: auditors, fromGroupId: readers },
      requestId: res.headers['x-request-id'],
    });
  });

  it('refuses to move a personal key with 400 naming groupId', async () => {
    const { id } = await createKey(app, { name: 'personal mover', ownerUserId: dev });
    const res = await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ groupId: developers });
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['groupId']);
  });
});
