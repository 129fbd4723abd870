import { eventually, startTwoProcesses } from '../support/two-processes.js';
import { createKey, oktaUser, patchOp, scimClient, type TestApp } from '../support/test-app.js';

/**
 * Two keyscope processes on one database (on PGlite: two apps sharing the embedded database, each
 * with its own caches and listener; on PostgreSQL: two separate connection pools). A change made
 * through one must be refused by the other within a second (DESIGN §5), through LISTEN/NOTIFY.
 */
let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  ({ one, two } = await startTwoProcesses({ KEYSCOPE_PERMISSIONS: 'reports:read' }));
});
afterAll(async () => {
  await two.close();
  await one.close();
});

const allowed = async (app: TestApp, token: string, permission: string) =>
  (await app.http.post('/api/v1/authorize').set('Authorization', `Bearer ${token}`).send({ permission })).body
    .allowed === true;

describe('live pickup across processes', () => {
  it('a key revoked on one process is refused by the other within 1 second', async () => {
    const { token, id } = await createKey(one, { name: 'shared' });
    // Both processes verify and cache it first.
    expect((await one.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await two.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await one.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${one.adminToken}`);
    expect((await one.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    await eventually(
      async () => (await two.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status === 401,
      1000,
    );
  });

  it('a rule change on one process reaches keys cached by the other within 1 second', async () => {
    const g = await one.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${one.adminToken}`)
      .send({ displayName: 'Reporting', rules: [{ permission: 'reports:read' }] });
    const { token } = await createKey(one, { name: 'reporter', groupId: g.body.id });
    expect(await allowed(two, token, 'reports:read')).toBe(true);
    await one.http
      .put(`/api/v1/groups/${g.body.id}/rules`)
      .set('Authorization', `Bearer ${one.adminToken}`)
      .send({ rules: [] });
    await eventually(async () => !(await allowed(two, token, 'reports:read')), 1000);
  });

  it('a SCIM member removal on one process suspends a personal key on the other within 1 second', async () => {
    const scim = await scimClient(one);
    const user = (await scim.post('/Users', oktaUser('erin@example.com'))).body.id as string;
    const group = (await scim.post('/Groups', { displayName: 'Readers', members: [{ value: user }] })).body
      .id as string;
    await one.http
      .put(`/api/v1/groups/${group}/rules`)
      .set('Authorization', `Bearer ${one.adminToken}`)
      .send({ rules: [{ permission: 'reports:read' }] });
    const { token } = await createKey(one, { name: 'erin', kind: 'personal', ownerUserId: user, groupId: group });
    expect(await allowed(two, token, 'reports:read')).toBe(true);
    await scim.patch(`/Groups/${group}`, patchOp({ op: 'remove', path: `members[value eq "${user}"]` }));
    await eventually(
      async () => (await two.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status === 401,
      1000,
    );
  });
});
