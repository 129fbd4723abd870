import { bearer, uniqueName } from '../support/orgs.js';
import {
  GROUP_SCHEMA,
  createKey,
  oktaUser,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Issue 9, defect 3 (DESIGN §9): nobody obtains a token that acts as another person without
 * org:admin. A key-manager minted a personal key for dave while dave held nothing; when the identity
 * provider later put dave in an admin group, the key-manager's token answered org:admin. Rotating
 * someone else's personal key handed the new token to the caller the same way.
 */

let app: TestApp;
let scim: ScimClient;
let managerToken: string; // a service key with role key-manager
const admin = () => bearer(app.adminToken);

async function scimUser(): Promise<string> {
  const res = await scim.post('/Users', oktaUser(`dave-${Math.random().toString(36).slice(2, 8)}@example.com`));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  expect(res.status).toBe(200);
  return res.body.allowed as boolean;
}

async function auditOf(action: string, target: string) {
  const res = await app.http.get(`/api/v1/audit?action=${action}&target=${encodeURIComponent(target)}`).set(admin());
  expect(res.status).toBe(200);
  return res.body.items as { actor: { id: string }; details: Record<string, unknown> }[];
}

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  const managers = await app.http
    .post('/api/v1/groups')
    .set(admin())
    .send({ displayName: uniqueName('Key managers'), rules: [{ role: 'key-manager' }] });
  managerToken = (await createKey(app, { name: 'key manager', groupId: managers.body.id })).token;
});
afterAll(() => app.close());

it('a key-manager gets 403 creating a personal key for a user who holds nothing, so no token grows with them later', async () => {
  const dave = await scimUser();
  const res = await app.http
    .post('/api/v1/keys')
    .set(bearer(managerToken))
    .send({ name: 'for dave', ownerUserId: dave });
  expect({ status: res.status, detail: res.body.detail, token: res.body.token }).toEqual({
    status: 403,
    detail: expect.stringMatching(/org:admin/),
    token: undefined,
  });

  // The identity provider makes dave an admin: no key the key-manager holds acts as dave.
  const bosses = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: uniqueName('Bosses'),
    members: [{ value: dave }],
  });
  expect(
    (
      await app.http
        .put(`/api/v1/groups/${bosses.body.id}/rules`)
        .set(admin())
        .send({ rules: [{ role: 'admin' }] })
    ).status,
  ).toBe(200);
  const listed = await app.http.get(`/api/v1/keys?owner=all&ownerUserId=${dave}`).set(admin());
  expect(listed.body.items).toEqual([]);
});

it('a key-manager gets 403 rotating another user’s personal key, and that key stays as it was', async () => {
  const dave = await scimUser();
  const daves = await createKey(app, { name: 'dave’s own', ownerUserId: dave });
  const res = await app.http.post(`/api/v1/keys/${daves.id}/rotate`).set(bearer(managerToken)).send({});
  expect({ status: res.status, detail: res.body.detail, token: res.body.token }).toEqual({
    status: 403,
    detail: expect.stringMatching(/org:admin/),
    token: undefined,
  });
  expect((await app.http.get(`/api/v1/keys/${daves.id}`).set(admin())).body).toMatchObject({
    status: 'active',
    revokedAt: null,
  });
  expect((await app.http.get('/api/v1/me').set(bearer(daves.token))).status).toBe(200);
});

it('an org:admin may do both, and each is audited as an act for that user', async () => {
  const dave = await scimUser();
  const created = await createKey(app, { name: 'issued by an admin', ownerUserId: dave });
  expect(created.key).toMatchObject({ kind: 'personal', ownerUserId: dave });
  const createdAudit = await auditOf('key.create', `key:${created.id}`);
  expect(createdAudit[0]!.details).toMatchObject({ ownerUserId: dave, forAnotherUser: true });

  const rotated = await app.http.post(`/api/v1/keys/${created.id}/rotate`).set(admin()).send({});
  expect(rotated.status).toBe(201);
  const rotatedAudit = await auditOf('key.rotate', `key:${created.id}`);
  expect(rotatedAudit[0]!.details).toMatchObject({ ownerUserId: dave, forAnotherUser: true });
});

it('a person still creates and rotates their own personal keys with keys:write', async () => {
  const erin = await scimUser();
  const devs = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: uniqueName('Devs'),
    members: [{ value: erin }],
  });
  await app.http
    .put(`/api/v1/groups/${devs.body.id}/rules`)
    .set(admin())
    .send({ rules: [{ role: 'developer' }] });
  const own = await createKey(app, { name: 'erin’s first', ownerUserId: erin });
  const second = await app.http.post('/api/v1/keys').set(bearer(own.token)).send({ name: 'erin’s second' });
  expect(second.status).toBe(201);
  expect(second.body.key.ownerUserId).toBe(erin);
  const rotated = await app.http.post(`/api/v1/keys/${second.body.key.id}/rotate`).set(bearer(own.token)).send({});
  expect(rotated.status).toBe(201);
  expect(await allowed(rotated.body.token as string, 'keys:write')).toBe(true);
  const audit = await auditOf('key.create', `key:${second.body.key.id}`);
  expect(audit[0]!.details).toMatchObject({ forAnotherUser: false });
});
