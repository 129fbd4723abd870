import { bearer, createOrganization, uniqueName, type CreatedOrganization } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Organizations (DESIGN §3, §7): POST /api/v1/organizations creates one with its first admin key;
 * only orgs:create may (the bootstrap key holds it; no wildcard grants it); each organization has a
 * policy (max keys, allowed expirations, never, SCIM key lifetime) that key creation obeys.
 */

let app: TestApp;
const admin = () => bearer(app.adminToken);

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

/** A key of `org` whose group grants exactly `rules`. */
async function keyWithRules(org: CreatedOrganization, rules: unknown[]): Promise<string> {
  const group = await app.http
    .post('/api/v1/groups')
    .set(bearer(org.token))
    .send({ displayName: uniqueName('Group'), rules });
  expect(group.status).toBe(201);
  return (await createKey(app, { name: 'ruled key', groupId: group.body.id }, org.token)).token;
}

async function setPolicy(org: CreatedOrganization, policy: Record<string, unknown>): Promise<void> {
  const res = await app.http.patch('/api/v1/organizations/current').set(bearer(org.token)).send(policy);
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('creating an organization', () => {
  it('returns the organization and its first admin key, the token once with Cache-Control: no-store', async () => {
    const name = uniqueName('Acme');
    const res = await app.http.post('/api/v1/organizations').set(admin()).send({ name });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.organization).toMatchObject({
      id: expect.any(String),
      name,
      policy: { maxKeys: 100, allowNever: true, maxScimKeyLifetimeDays: null },
    });
    expect(res.body.organization.id).not.toBe(app.orgId);
    expect(res.body.token).toMatch(/^ksk_/);
    expect(res.body.key).toMatchObject({ kind: 'service', scim: false, status: 'active', groupName: 'Admins' });
    const read = await app.http.get(`/api/v1/keys/${res.body.key.id}`).set(bearer(res.body.token));
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(res.body.token);
  });

  it('gives a first admin key that works in the new organization and holds org:admin but not orgs:create', async () => {
    const org = await createOrganization(app);
    const me = await app.http.get('/api/v1/me').set(bearer(org.token));
    expect(me.status).toBe(200);
    expect(me.body.organization).toEqual({ id: org.id, name: org.name });
    expect(await allowed(org.token, 'org:admin')).toBe(true);
    expect(await allowed(org.token, 'keys:manage')).toBe(true);
    expect(await allowed(org.token, 'orgs:create')).toBe(false);
    const again = await app.http
      .post('/api/v1/organizations')
      .set(bearer(org.token))
      .send({ name: uniqueName('Nested') });
    expect(again.status).toBe(403);
    expect(again.body.detail).toMatch(/orgs:create/);
  });

  it('the bootstrap key holds orgs:create; an admin-role key of the same organization does not', async () => {
    expect(await allowed(app.adminToken, 'orgs:create')).toBe(true);
    const group = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: uniqueName('Wildcard admins'), rules: [{ role: 'admin' }, { permission: '*' }] });
    const { token } = await createKey(app, { name: 'wildcard admin', groupId: group.body.id });
    expect(await allowed(token, 'org:admin')).toBe(true);
    expect(await allowed(token, 'orgs:create')).toBe(false);
    const res = await app.http
      .post('/api/v1/organizations')
      .set(bearer(token))
      .send({ name: uniqueName('Refused') });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('an organization’s own admin cannot grant itself orgs:create through group rules', async () => {
    const org = await createOrganization(app);
    const admins = (await app.http.get('/api/v1/groups?q=Admins').set(bearer(org.token))).body.items[0];
    const put = await app.http
      .put(`/api/v1/groups/${admins.id}/rules`)
      .set(bearer(org.token))
      .send({ rules: [{ role: 'admin' }, { permission: 'orgs:create' }] });
    const created = await app.http
      .post('/api/v1/groups')
      .set(bearer(org.token))
      .send({ displayName: 'Platform', rules: [{ permission: 'orgs:create' }] });
    const res = await app.http
      .post('/api/v1/organizations')
      .set(bearer(org.token))
      .send({ name: uniqueName('Self-made') });
    expect({ putRules: put.status, createGroup: created.status, createOrganization: res.status }).toEqual({
      putRules: 403,
      createGroup: 403,
      createOrganization: 403,
    });
  });

  it('refuses a name already taken, in any case, with 409', async () => {
    const org = await createOrganization(app);
    const res = await app.http.post('/api/v1/organizations').set(admin()).send({ name: org.name.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'uniqueness' });
    expect(res.body.detail).toMatch(/name/i);
    expect((await app.http.post('/api/v1/organizations').set(admin()).send({ name: 'default' })).status).toBe(409);
  });

  it.each([[{}], [{ name: '' }], [{ name: 'x'.repeat(101) }], [{ name: 'ok', extra: true }]])(
    'refuses %j with 400',
    async (body) => {
      const res = await app.http.post('/api/v1/organizations').set(admin()).send(body);
      expect(res.status).toBe(400);
    },
  );
});

describe('organization policy', () => {
  it('reads the caller’s organization and its default policy', async () => {
    const org = await createOrganization(app);
    const res = await app.http.get('/api/v1/organizations/current').set(bearer(org.token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: org.id,
      name: org.name,
      createdAt: expect.any(String),
      policy: {
        maxKeys: 100,
        allowedExpirations: ['7d', '30d', '60d', '90d', '180d', '1y', 'never'],
        allowNever: true,
        maxScimKeyLifetimeDays: null,
        selfServiceKeys: true,
        idpRoles: false,
      },
    });
  });

  it('changing the policy needs org:admin, and the change stays in the caller’s organization', async () => {
    const org = await createOrganization(app);
    const manager = await keyWithRules(org, [{ role: 'key-manager' }]);
    expect(
      (await app.http.patch('/api/v1/organizations/current').set(bearer(manager)).send({ maxKeys: 5 })).status,
    ).toBe(403);
    await setPolicy(org, { maxKeys: 50 });
    expect((await app.http.get('/api/v1/organizations/current').set(bearer(org.token))).body.policy.maxKeys).toBe(50);
    expect((await app.http.get('/api/v1/organizations/current').set(admin())).body.policy.maxKeys).toBe(100);
  });

  it.each([
    [{ maxKeys: 0 }],
    [{ allowedExpirations: [] }],
    [{ allowedExpirations: ['5d'] }],
    [{ maxScimKeyLifetimeDays: 0 }],
    [{ unknown: 1 }],
    [{ idpRoles: 'yes' }],
    [{ idpRoles: null }],
  ])('refuses policy %j with 400', async (body) => {
    const org = await createOrganization(app);
    expect((await app.http.patch('/api/v1/organizations/current').set(bearer(org.token)).send(body)).status).toBe(400);
  });

  it('maxKeys reached: 409 key_limit_reached with a message saying what to do, until a key is revoked', async () => {
    const org = await createOrganization(app);
    await setPolicy(org, { maxKeys: 3 });
    // The first admin key counts: two more fit.
    const second = await createKey(app, { name: 'second' }, org.token);
    await createKey(app, { name: 'third' }, org.token);
    const res = await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'fourth' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('key_limit_reached');
    expect(res.body.detail).toMatch(/3/);
    expect(res.body.detail).toMatch(/revoke/i);
    // Another organization is not limited by this one's policy.
    await createKey(app, { name: 'elsewhere' });
    expect((await app.http.delete(`/api/v1/keys/${second.id}`).set(bearer(org.token))).status).toBe(200);
    expect((await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'fourth' })).status).toBe(201);
  });

  it('allowNever false: expiration "never" is refused with a 400 naming the field; finite presets still work', async () => {
    const org = await createOrganization(app);
    await setPolicy(org, { allowNever: false });
    const res = await app.http
      .post('/api/v1/keys')
      .set(bearer(org.token))
      .send({ name: 'forever', expiration: 'never' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'expiration' })]);
    expect(res.body.detail).toMatch(/never/);
    expect(
      (await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'a year', expiration: '1y' })).status,
    ).toBe(201);
  });

  it('allowedExpirations: other presets are refused with a 400 listing the allowed ones', async () => {
    const org = await createOrganization(app);
    await setPolicy(org, { allowedExpirations: ['7d', '30d'] });
    const res = await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'long', expiration: '90d' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'expiration' })]);
    expect(res.body.detail).toMatch(/7d, 30d/);
    expect(
      (await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'short', expiration: '7d' })).status,
    ).toBe(201);
    expect((await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'default' })).status).toBe(201);
  });

  it('maxScimKeyLifetimeDays caps keys with the SCIM flag only', async () => {
    const org = await createOrganization(app);
    await setPolicy(org, { maxScimKeyLifetimeDays: 30 });
    for (const expiration of ['90d', 'never']) {
      const res = await app.http
        .post('/api/v1/keys')
        .set(bearer(org.token))
        .send({ name: `scim ${expiration}`, scim: true, expiration });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'expiration' })]);
      expect(res.body.detail).toMatch(/30 days/);
    }
    const within = await app.http
      .post('/api/v1/keys')
      .set(bearer(org.token))
      .send({ name: 'scim 30d', scim: true, expiration: '30d' });
    expect(within.status).toBe(201);
    const service = await app.http
      .post('/api/v1/keys')
      .set(bearer(org.token))
      .send({ name: 'service 1y', expiration: '1y' });
    expect(service.status).toBe(201);
    const never = await app.http
      .post('/api/v1/keys')
      .set(bearer(org.token))
      .send({ name: 'service never', expiration: 'never' });
    expect(never.status).toBe(201);
  });

  it('rotating a SCIM key made before a lifetime cap gives a key within the cap (policy applies to every new key)', async () => {
    const org = await createOrganization(app);
    const { id } = await createKey(app, { name: 'old scim', scim: true, expiration: 'never' }, org.token);
    await setPolicy(org, { maxScimKeyLifetimeDays: 30 });
    const res = await app.http.post(`/api/v1/keys/${id}/rotate`).set(bearer(org.token)).send({});
    if (res.status === 201) {
      expect(res.body.key.expiresAt).not.toBeNull();
      expect(Date.parse(res.body.key.expiresAt) - Date.parse(res.body.key.createdAt)).toBeLessThanOrEqual(
        30 * 24 * 3600 * 1000,
      );
    } else {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'expiration' })]);
    }
  });
});
