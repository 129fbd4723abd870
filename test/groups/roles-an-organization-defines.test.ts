import { bearer, createOrganization, scimClientFor } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 13: an organization defines its own roles (/api/v1/roles), named sets of permissions from the
 * catalogue. Group rules may name them, /scim/v2/Roles lists them for the identity provider, and under
 * idpRoles an assigned role value grants them. Built-in roles are listed read-only and cannot be
 * redefined; org:admin writes; nobody defines a role granting more than they hold; a role a group rule
 * names is not deleted (409 naming the groups); every change is audited and reaches keys at once.
 */
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'payments:approve,payments:read,payments:refund' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

const admin = () => bearer(app.adminToken);

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  if (res.status !== 200) throw new Error(`authorize ${permission}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.allowed === true;
}

async function createRole(body: Record<string, unknown>, token = app.adminToken) {
  return app.http.post('/api/v1/roles').set(bearer(token)).send(body);
}

async function groupWith(displayName: string, rules: Record<string, unknown>[]) {
  const res = await app.http.post('/api/v1/groups').set(admin()).send({ displayName, rules });
  if (res.status !== 201) throw new Error(`group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

describe('GET /api/v1/roles', () => {
  it('lists the built-in roles read-only, then the organization’s own', async () => {
    expect((await createRole({ name: 'auditor', permissions: ['audit:read'] })).status).toBe(201);
    const res = await app.http.get('/api/v1/roles').set(admin());
    expect(res.status).toBe(200);
    const names = res.body.items.map((r: { name: string }) => r.name);
    expect(names.slice(0, 4)).toEqual(['admin', 'key-manager', 'developer', 'viewer']);
    expect(names).toContain('auditor');
    expect(res.body.items[0]).toMatchObject({ name: 'admin', permissions: ['*'], builtin: true, createdAt: null });
    const own = await app.http.get('/api/v1/roles/auditor').set(admin());
    expect(own.body).toMatchObject({ name: 'auditor', permissions: ['audit:read'], builtin: false });
    expect(own.body.createdBy).toEqual(expect.any(String));
    expect((await app.http.get('/api/v1/roles/viewer').set(admin())).body).toMatchObject({ builtin: true });
    expect((await app.http.get('/api/v1/roles/nobody').set(admin())).status).toBe(404);
  });

  it('needs groups:read', async () => {
    const group = await groupWith('Role readers none', [{ permission: 'keys:read' }]);
    const key = await createKey(app, { name: 'no groups:read', groupId: group });
    const res = await app.http.get('/api/v1/roles').set(bearer(key.token));
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/groups:read/);
  });
});

describe('POST /api/v1/roles refuses with a precise 400', () => {
  it.each([
    [{ name: 'Payments', permissions: ['payments:read'] }, /name: must be lower-case letters/],
    [{ name: '9lives', permissions: ['payments:read'] }, /name: must be lower-case letters/],
    [{ name: 'a'.repeat(64), permissions: ['payments:read'] }, /name: must be/],
    [{ name: 'empty', permissions: [] }, /permissions: needs at least one permission/],
    [{ name: 'nothing' }, /permissions/],
    [{ name: 'typo', permissions: ['payments:aprove'] }, /Unknown permission "payments:aprove"/],
    [{ name: 'platform', permissions: ['orgs:create'] }, /orgs:create is a platform permission/],
    [{ name: 'extra', permissions: ['keys:read'], color: 'red' }, /Unrecognized key/i],
  ])('%j', async (body, message) => {
    const res = await createRole(body);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(message);
  });

  it.each(['admin', 'key-manager', 'developer', 'viewer'])(
    'built-in %s cannot be defined, changed or deleted',
    async (name) => {
      const created = await createRole({ name, permissions: ['keys:read'] });
      expect(created.status).toBe(400);
      expect(created.body.code).toBe('role_builtin');
      const changed = await app.http
        .patch(`/api/v1/roles/${name}`)
        .set(admin())
        .send({ permissions: ['keys:read'] });
      expect(changed.status).toBe(400);
      expect(changed.body.code).toBe('role_builtin');
      const deleted = await app.http.delete(`/api/v1/roles/${name}`).set(admin());
      expect(deleted.status).toBe(400);
    },
  );

  it('a name taken is 409', async () => {
    expect((await createRole({ name: 'twice', permissions: ['keys:read'] })).status).toBe(201);
    const again = await createRole({ name: 'twice', permissions: ['keys:read'] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('role_exists');
  });
});

describe('who may write roles', () => {
  it('needs org:admin, even for a key holding every permission of the role', async () => {
    const group = await groupWith('Group writers (roles)', [
      { permission: 'groups:write' },
      { permission: 'groups:read' },
    ]);
    const key = await createKey(app, { name: 'groups writer', groupId: group });
    const res = await createRole({ name: 'readers', permissions: ['groups:read'] }, key.token);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/org:admin/);
  });
});

describe('what a role grants', () => {
  it('a group rule naming the role grants its permissions, and a change or delete reaches the key at once', async () => {
    expect((await createRole({ name: 'payments-operator', permissions: ['payments:approve'] })).status).toBe(201);
    const group = await groupWith('Payments operators', [{ role: 'payments-operator' }]);
    const key = await createKey(app, { name: 'operator', groupId: group });
    expect(await allowed(key.token, 'payments:approve')).toBe(true);
    expect(await allowed(key.token, 'payments:refund')).toBe(false);

    const changed = await app.http
      .patch('/api/v1/roles/payments-operator')
      .set(admin())
      .send({ permissions: ['payments:refund'], description: 'Refunds only' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ permissions: ['payments:refund'], description: 'Refunds only' });
    expect(await allowed(key.token, 'payments:approve')).toBe(false);
    expect(await allowed(key.token, 'payments:refund')).toBe(true);

    const detail = await app.http.get(`/api/v1/groups/${group}`).set(admin());
    expect(detail.body.grant).toEqual([{ permission: 'payments:refund', resources: null }]);

    const refused = await app.http.delete('/api/v1/roles/payments-operator').set(admin());
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('role_in_use');
    expect(refused.body.detail).toContain('"Payments operators"');
    expect(refused.body.detail).toContain(group);

    expect((await app.http.put(`/api/v1/groups/${group}/rules`).set(admin()).send({ rules: [] })).status).toBe(200);
    expect((await app.http.delete('/api/v1/roles/payments-operator').set(admin())).status).toBe(204);
    expect((await app.http.get('/api/v1/roles/payments-operator').set(admin())).status).toBe(404);

    const audit = await app.http.get('/api/v1/audit').query({ target: 'role:payments-operator' }).set(admin());
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'role.create',
      'role.delete',
      'role.update',
    ]);
    const update = audit.body.items.find((e: { action: string }) => e.action === 'role.update');
    expect(update.details).toMatchObject({ permissions: ['payments:refund'], before: ['payments:approve'] });
  });

  it('a rule naming a role that does not exist is refused with 400 listing the roles', async () => {
    const res = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Unknown role group', rules: [{ permission: 'keys:read' }, { role: 'ghost' }] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/rules\[1\]\.role "ghost" is not a role; roles are admin, key-manager/);
  });

  it('a role granting more than a groups:write key holds cannot go into its rules', async () => {
    expect((await createRole({ name: 'refunder', permissions: ['payments:refund'] })).status).toBe(201);
    const writers = await groupWith('Writers without payments', [
      { permission: 'groups:write' },
      { permission: 'groups:read' },
    ]);
    const writer = await createKey(app, { name: 'writer', groupId: writers });
    const res = await app.http
      .post('/api/v1/groups')
      .set(bearer(writer.token))
      .send({ displayName: 'Sneaky refunders', rules: [{ role: 'refunder' }] });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/payments:refund/);
  });

  it('under idpRoles, a role the identity provider assigned grants it; created later, it starts granting then', async () => {
    const user = (await scim.post('/Users', oktaUser('ops.person@example.com', { roles: [{ value: 'night-ops' }] })))
      .body.id as string;
    const key = await createKey(app, { name: 'night ops key', kind: 'personal', ownerUserId: user });
    expect((await app.http.patch('/api/v1/organizations/current').set(admin()).send({ idpRoles: true })).status).toBe(
      200,
    );
    try {
      expect(await allowed(key.token, 'payments:read')).toBe(false);
      expect((await createRole({ name: 'night-ops', permissions: ['payments:read'] })).status).toBe(201);
      expect(await allowed(key.token, 'payments:read')).toBe(true);
      const detail = await app.http.get(`/api/v1/users/${user}`).set(admin());
      expect(detail.body.roles).toEqual([expect.objectContaining({ value: 'night-ops', known: true, grants: true })]);
      expect(detail.body.grants).toEqual(
        expect.arrayContaining([
          { permission: 'payments:read', resources: null, source: { type: 'idpRole', value: 'night-ops' } },
        ]),
      );
      // No group names it, so it deletes; the value stays on the user and grants nothing.
      expect((await app.http.delete('/api/v1/roles/night-ops').set(admin())).status).toBe(204);
      expect(await allowed(key.token, 'payments:read')).toBe(false);
    } finally {
      await app.http.patch('/api/v1/organizations/current').set(admin()).send({ idpRoles: false });
    }
  });

  it('/scim/v2/Roles lists the organization’s roles beside the built-in ones; another organization sees none', async () => {
    expect((await createRole({ name: 'listed-role', description: 'Listed', permissions: ['keys:read'] })).status).toBe(
      201,
    );
    const list = await scim.get('/Roles?filter=id eq "listed-role"');
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(1);
    expect(list.body.Resources[0]).toMatchObject({ id: 'listed-role', displayName: 'listed-role', type: 'Role' });
    expect(list.body.Resources[0].description).toBe('Listed: keys:read');
    expect((await scim.get('/Roles/listed-role')).status).toBe(200);
    expect((await scim.get('/Roles/admin')).status).toBe(200);

    const other = await createOrganization(app);
    const otherScim = await scimClientFor(app, other.token);
    expect((await otherScim.get('/Roles/listed-role')).status).toBe(404);
    expect((await app.http.get('/api/v1/roles/listed-role').set(bearer(other.token))).status).toBe(404);
  });
});
