import { eventually, startTwoProcesses } from '../support/two-processes.js';
import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 13, DESIGN §5: changing or deleting a role the organization defined (/api/v1/roles) on one
 * process reaches, within 1 second, every key cached by another process that holds the role: a
 * service key whose group's rule names it, and a personal key whose owner the identity provider
 * assigned it under idpRoles. Creating a role an identity provider had already assigned starts it granting.
 */
let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  ({ one, two } = await startTwoProcesses({ KEYSCOPE_PERMISSIONS: 'payments:approve,payments:refund' }));
});
afterAll(async () => {
  await two.close();
  await one.close();
});

const allowed = async (app: TestApp, token: string, permission: string) =>
  (await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission })).body.allowed === true;
const admin = () => bearer(one.adminToken);

describe('an organization role picks up across processes', () => {
  it('create, change and delete on one process reach keys cached on the other within 1 second', async () => {
    const scim = await scimClient(one);
    const user = (await scim.post('/Users', oktaUser('role.live@example.com', { roles: [{ value: 'payer' }] }))).body
      .id as string;
    const personal = await createKey(one, { name: 'payer personal', kind: 'personal', ownerUserId: user });
    expect((await one.http.patch('/api/v1/organizations/current').set(admin()).send({ idpRoles: true })).status).toBe(
      200,
    );
    // Cached on the second process while the role does not exist yet: the value grants nothing.
    expect(await allowed(two, personal.token, 'payments:approve')).toBe(false);

    expect(
      (
        await one.http
          .post('/api/v1/roles')
          .set(admin())
          .send({ name: 'payer', permissions: ['payments:approve'] })
      ).status,
    ).toBe(201);
    await eventually(() => allowed(two, personal.token, 'payments:approve'), 1000);

    const group = await one.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Payers (live)', rules: [{ role: 'payer' }] });
    const service = await createKey(one, { name: 'payer service', groupId: group.body.id });
    expect(await allowed(two, service.token, 'payments:approve')).toBe(true);

    expect(
      (
        await one.http
          .patch('/api/v1/roles/payer')
          .set(admin())
          .send({ permissions: ['payments:refund'] })
      ).status,
    ).toBe(200);
    const lags = await Promise.all([
      eventually(async () => !(await allowed(two, service.token, 'payments:approve')), 1000),
      eventually(async () => !(await allowed(two, personal.token, 'payments:approve')), 1000),
    ]);
    expect(lags.every((ms) => ms < 1000)).toBe(true);
    expect(await allowed(two, service.token, 'payments:refund')).toBe(true);
    expect(await allowed(two, personal.token, 'payments:refund')).toBe(true);

    // The rule goes (the role is in use until then), then the role: the personal key loses it too.
    await one.http.put(`/api/v1/groups/${group.body.id}/rules`).set(admin()).send({ rules: [] });
    expect((await one.http.delete('/api/v1/roles/payer').set(admin())).status).toBe(204);
    await eventually(async () => !(await allowed(two, personal.token, 'payments:refund')), 1000);
    expect(await allowed(two, service.token, 'payments:refund')).toBe(false);
  });
});
