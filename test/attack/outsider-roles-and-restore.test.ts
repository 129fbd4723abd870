import { jti, putSignals, startTestIdp, type TestIdp } from '../support/signals.js';
import { bearer, createOrganization, scimClientFor } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, type ScimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * An outsider's probes of two promises: "nobody gains what they do not hold" through organization
 * roles, and "only a signal's suspension is lifted by restore, by org:admin, inside the organization".
 */
const PUBLIC_URL = 'http://keyscope.test';
const ENDPOINT = `${PUBLIC_URL}/api/v1/global-token-revocation`;
let app: TestApp;
let idp: TestIdp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, KEYSCOPE_PERMISSIONS: 'payments:approve,payments:read' } });
  idp = await startTestIdp('https://acme.okta.test');
  scim = await scimClient(app);
  const res = await putSignals(app, { universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri } });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await idp.close();
  await app.close();
});

const admin = () => bearer(app.adminToken);
const now = () => Math.floor(Date.now() / 1000);

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  if (res.status !== 200) throw new Error(`authorize ${permission}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.allowed === true;
}

async function groupWith(displayName: string, rules: Record<string, unknown>[], token = app.adminToken) {
  const res = await app.http.post('/api/v1/groups').set(bearer(token)).send({ displayName, rules });
  if (res.status !== 201) throw new Error(`group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A non-admin key holding groups:write, groups:read, keys:write and payments:read. */
async function writer(name: string) {
  const group = await groupWith(`Writers ${name}`, [
    { permission: 'groups:write' },
    { permission: 'groups:read' },
    { permission: 'keys:write' },
    { permission: 'keys:read' },
    { permission: 'payments:read' },
  ]);
  return createKey(app, { name: `writer ${name}`, groupId: group });
}

describe('roles: a non-admin key gains nothing it lacks', () => {
  it('cannot define, change or delete a role', async () => {
    const w = await writer('define');
    expect(
      (
        await app.http
          .post('/api/v1/roles')
          .set(bearer(w.token))
          .send({ name: 'mine', permissions: ['payments:read'] })
      ).status,
    ).toBe(403);
    expect(
      (
        await app.http
          .post('/api/v1/roles')
          .set(admin())
          .send({ name: 'approver', permissions: ['payments:approve'] })
      ).status,
    ).toBe(201);
    const patched = await app.http
      .patch('/api/v1/roles/approver')
      .set(bearer(w.token))
      .send({ permissions: ['*'] });
    expect(patched.status).toBe(403);
    expect((await app.http.delete('/api/v1/roles/approver').set(bearer(w.token))).status).toBe(403);
  });

  it('cannot use a role granting more than it holds in a group rule, nor key such a group', async () => {
    const w = await writer('use');
    expect(
      (
        await app.http
          .post('/api/v1/roles')
          .set(admin())
          .send({ name: 'approver2', permissions: ['payments:approve'] })
      ).status,
    ).toBe(201);
    const made = await app.http
      .post('/api/v1/groups')
      .set(bearer(w.token))
      .send({ displayName: 'Sneaky', rules: [{ role: 'approver2' }] });
    expect(made.status).toBeGreaterThanOrEqual(400);
    expect(made.status).toBeLessThan(500);
    for (const role of ['admin', 'key-manager']) {
      const builtin = await app.http
        .post('/api/v1/groups')
        .set(bearer(w.token))
        .send({ displayName: `Sneaky ${role}`, rules: [{ role }] });
      expect(builtin.status).toBeGreaterThanOrEqual(400);
      expect(builtin.status).toBeLessThan(500);
    }
    // The admin makes a group with the role; the writer tries to mint a key on it.
    const adminGroup = await groupWith('Approvers (admin made)', [{ role: 'approver2' }]);
    const key = await app.http
      .post('/api/v1/keys')
      .set(bearer(w.token))
      .send({ name: 'escalate', groupId: adminGroup });
    expect(key.status).toBeGreaterThanOrEqual(400);
    expect(key.status).toBeLessThan(500);
    // Nor rewrite the rules of that group to its own liking.
    const rules = await app.http
      .put(`/api/v1/groups/${adminGroup}/rules`)
      .set(bearer(w.token))
      .send({ rules: [{ role: 'approver2' }, { permission: 'keys:write' }] });
    expect(rules.status).toBeGreaterThanOrEqual(400);
    expect(rules.status).toBeLessThan(500);
  });

  it('a group the writer may use with a weak role does not grow when the admin widens the role past the writer', async () => {
    // Admin defines reader role (within the writer's holdings); writer builds a group on it and keys it.
    expect(
      (
        await app.http
          .post('/api/v1/roles')
          .set(admin())
          .send({ name: 'reader', permissions: ['payments:read'] })
      ).status,
    ).toBe(201);
    const w = await writer('widen');
    const made = await app.http
      .post('/api/v1/groups')
      .set(bearer(w.token))
      .send({ displayName: 'Readers by writer', rules: [{ role: 'reader' }] });
    expect(made.status).toBe(201);
    const k = await app.http
      .post('/api/v1/keys')
      .set(bearer(w.token))
      .send({ name: 'reader key', groupId: made.body.id });
    // keys:write may not key a group it does not itself belong to (or narrows to its own holdings): either a
    // refusal, or a key holding only what the role gave.
    expect(k.status).toBeLessThan(500);
    if (k.status !== 201) expect(k.body.detail).toEqual(expect.any(String));
    if (k.status === 201) {
      expect(await allowed(k.body.token, 'payments:read')).toBe(true);
      expect(await allowed(k.body.token, 'payments:approve')).toBe(false);
    }
    // The writer cannot widen the role itself.
    const widen = await app.http
      .patch('/api/v1/roles/reader')
      .set(bearer(w.token))
      .send({ permissions: ['payments:read', 'payments:approve'] });
    expect(widen.status).toBe(403);
    if (k.status === 201) expect(await allowed(k.body.token, 'payments:approve')).toBe(false);
  });

  it.each([
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'toString',
    '*',
    'admin ',
    'ADMIN',
    'a'.repeat(10_000),
    'rôle',
    'роль',
    '💥',
    '',
    'a\u0000b',
    '../admin',
  ])('role name %# is a 4xx, never a 5xx (create, read, patch, delete, rule)', async (name) => {
    const create = await app.http
      .post('/api/v1/roles')
      .set(admin())
      .send({ name, permissions: ['payments:read'] });
    expect(create.status).toBeLessThan(500);
    if (create.status === 201) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    const path = `/api/v1/roles/${encodeURIComponent(name)}`;
    expect((await app.http.get(path).set(admin())).status).toBeLessThan(500);
    expect(
      (
        await app.http
          .patch(path)
          .set(admin())
          .send({ permissions: ['*'] })
      ).status,
    ).toBeLessThan(500);
    expect((await app.http.delete(path).set(admin())).status).toBeLessThan(500);
    const rule = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: `Rule ${Math.random()}`, rules: [{ role: name }] });
    expect(rule.status).toBeLessThan(500);
    expect(rule.status).not.toBe(201);
  });

  it('a role body with __proto__ or a wildcard permission is refused or harmless', async () => {
    const proto = await app.http
      .post('/api/v1/roles')
      .set(admin())
      .set('Content-Type', 'application/json')
      .send('{"name":"proto-role","permissions":["payments:read"],"__proto__":{"builtin":true}}');
    expect(proto.status).toBeLessThan(500);
    const star = await app.http
      .post('/api/v1/roles')
      .set(admin())
      .send({ name: 'star', permissions: ['*'] });
    expect(star.status).toBeLessThan(500);
    const w = await writer('star');
    if (star.status === 201) {
      const g = await app.http
        .post('/api/v1/groups')
        .set(bearer(w.token))
        .send({ displayName: 'Star by writer', rules: [{ role: 'star' }] });
      expect(g.status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('restore', () => {
  async function loggedOut(name: string, s: { post: ScimClient['post'] } = scim) {
    const email = `${name}@example.com`;
    const userId = (await s.post('/Users', oktaUser(email))).body.id as string;
    const key = await createKey(app, { name: `${name}'s key`, kind: 'personal', ownerUserId: userId });
    const token = await idp.sign(
      { iss: idp.issuer, aud: ENDPOINT, jti: jti(), iat: now(), exp: now() + 300 },
      { typ: 'JWT' },
    );
    const res = await app.http
      .post('/api/v1/global-token-revocation')
      .set('Authorization', `Bearer ${token}`)
      .send({ sub_id: { format: 'email', email } });
    expect(res.status).toBe(204);
    const read = await app.http.get(`/api/v1/keys/${key.id}`).set(admin());
    expect(read.body).toMatchObject({ status: 'suspended', statusReason: 'idp_logout' });
    return { userId, key };
  }
  const statusOf = async (id: string) => (await app.http.get(`/api/v1/keys/${id}`).set(admin())).body;

  it('a keys:write key cannot restore one key or a person', async () => {
    const { userId, key } = await loggedOut('rita');
    const w = await writer('restore');
    const one = await app.http.post(`/api/v1/keys/${key.id}/restore`).set(bearer(w.token));
    expect(one.status).toBe(403);
    const all = await app.http.post('/api/v1/keys/restore').set(bearer(w.token)).send({ ownerUserId: userId });
    expect(all.status).toBe(403);
    expect(await statusOf(key.id)).toMatchObject({ status: 'suspended' });
    // The suspended key cannot restore itself either.
    const self = await app.http.post(`/api/v1/keys/${key.id}/restore`).set(bearer(key.token));
    expect(self.status).toBe(401);
    expect(await statusOf(key.id)).toMatchObject({ status: 'suspended' });
  });

  it('another organization’s admin cannot restore this organization’s key or person', async () => {
    const { userId, key } = await loggedOut('otto');
    const other = await createOrganization(app);
    const one = await app.http.post(`/api/v1/keys/${key.id}/restore`).set(bearer(other.token));
    expect(one.status).toBe(404);
    const all = await app.http.post('/api/v1/keys/restore').set(bearer(other.token)).send({ ownerUserId: userId });
    expect(all.status).toBeGreaterThanOrEqual(400);
    expect(all.status).toBeLessThan(500);
    expect(await statusOf(key.id)).toMatchObject({ status: 'suspended', statusReason: 'idp_logout' });
    // Nor with a malformed or hostile ownerUserId.
    for (const ownerUserId of ['not-a-uuid', '', "' OR 1=1 --", 42, null, { $ne: null }]) {
      const res = await app.http.post('/api/v1/keys/restore').set(bearer(other.token)).send({ ownerUserId });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await statusOf(key.id)).toMatchObject({ status: 'suspended' });
  });

  it('restore does not lift a SCIM deactivation (owner_inactive), only the signal', async () => {
    const { userId, key } = await loggedOut('ines');
    const off = await scim.patch(`/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    const restored = await app.http.post(`/api/v1/keys/${key.id}/restore`).set(admin());
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ status: 'suspended', statusReason: 'owner_inactive' });
    expect((await app.http.get('/api/v1/me').set(bearer(key.token))).status).toBe(401);
  });

  it('restoring an unknown, revoked or other-org key id is a 4xx', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'nope', '%00', 'a'.repeat(5000)]) {
      const res = await app.http.post(`/api/v1/keys/${encodeURIComponent(id)}/restore`).set(admin());
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const other = await createOrganization(app);
    const otherScim = await scimClientFor(app, other.token);
    const otherUser = (await otherScim.post('/Users', oktaUser('olga@example.com'))).body.id as string;
    const all = await app.http.post('/api/v1/keys/restore').set(admin()).send({ ownerUserId: otherUser });
    expect(all.status).toBeGreaterThanOrEqual(400);
    expect(all.status).toBeLessThan(500);
  });
});
