import { createUser, expectScim, filterQuery, readBack, type Json } from '../support/clients.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// RFC 7644 §3.5.2.2: after `remove` the attribute is unassigned. keyscope's rule (README, SCIM):
// a user whose `active` is unassigned is shown without `active` and is not active for anything
// keyscope decides: their personal keys are suspended (owner_inactive) and no new one is issued.
// Only an explicit `active: true` makes a user active again. A user created without `active` is
// active (the service provider's default); a PUT without `active` leaves it as it was.
let app: TestApp;
let scim: ScimClient;
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

async function personalKey(userId: string) {
  return createKey(app, { name: `key of ${userId}`, kind: 'personal', ownerUserId: userId });
}

async function keyState(token: string, id: string) {
  const me = await app.http.get('/api/v1/me').set(bearer(token));
  const key = await app.http.get(`/api/v1/keys/${id}`).set(admin());
  return { me: me.status, code: me.body.code as unknown, status: key.body.status, reason: key.body.statusReason };
}

describe('remove of active', () => {
  it('leaves a deactivated user without active, never active again', async () => {
    const user = await createUser(scim, oktaUser('was.deactivated@example.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } })), 200);

    const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'active' }));
    expectScim(res, 200);
    expect(res.body).not.toHaveProperty('active');
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).not.toHaveProperty('active');

    const found = async (filter: string) =>
      ((await scim.get(`/Users?${filterQuery(filter)}`)).body.Resources as Json[]).map((u) => u.id);
    expect(await found('active eq true')).not.toContain(user.id);
    expect(await found('active pr')).not.toContain(user.id);
    expect(await found('not (active eq true)')).toContain(user.id);
  });

  it("suspends an active user's personal keys (owner_inactive) until active is true again", async () => {
    const user = await createUser(scim, oktaUser('key.owner@example.com'));
    const { token, id } = await personalKey(user.id);
    expect((await keyState(token, id)).me).toBe(200);

    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: 'active' })), 200);
    expect(await keyState(token, id)).toEqual({
      me: 401,
      code: 'owner_inactive',
      status: 'suspended',
      reason: 'owner_inactive',
    });

    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'active', value: true })), 200);
    expect((await keyState(token, id)).me).toBe(200);
  });

  it('treats replace with null or "" (what Entra sends to clear) as remove', async () => {
    for (const [i, value] of [null, ''].entries()) {
      const user = await createUser(scim, oktaUser(`cleared.${i}@example.com`));
      const { token, id } = await personalKey(user.id);
      expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value })), 200);
      expect(await readBack(scim, `/Users/${user.id}`)).not.toHaveProperty('active');
      expect((await keyState(token, id)).reason).toBe('owner_inactive');
    }
  });

  it('refuses a new personal key for a user whose active is unassigned', async () => {
    const user = await createUser(scim, oktaUser('no.new.key@example.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'active' })), 200);
    const res = await app.http
      .post('/api/v1/keys')
      .set(admin())
      .send({ name: 'refused', kind: 'personal', ownerUserId: user.id });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/deactivated|not active/);
  });
});

describe('a user body without active', () => {
  it('POST: the user is active (the default a new user gets)', async () => {
    const { active: _active, ...body } = oktaUser('posted.without@example.com');
    const res = await scim.post('/Users', body);
    expectScim(res, 201);
    expect(res.body.active).toBe(true);
  });

  it('PUT: a deactivated user stays deactivated, an active one active', async () => {
    for (const active of [false, true]) {
      const userName = `put.without.${active}@example.com`;
      const user = await createUser(scim, oktaUser(userName, { active }));
      const { active: _active, ...body } = oktaUser(userName, { title: 'Changed' });
      const res = await scim.put(`/Users/${user.id}`, body);
      expectScim(res, 200);
      expect(res.body).toEqual(expect.objectContaining({ title: 'Changed', active }));
    }
  });

  it('PUT with active null: unassigned, like remove', async () => {
    const user = await createUser(scim, oktaUser('put.null@example.com'));
    const res = await scim.put(`/Users/${user.id}`, oktaUser('put.null@example.com', { active: null }));
    expectScim(res, 200);
    expect(res.body).not.toHaveProperty('active');
  });
});
