import { eventually, startTwoProcesses } from '../support/two-processes.js';
import { ENTERPRISE, createKey, oktaUser, patchOp, scimClient, type TestApp } from '../support/test-app.js';

/**
 * Two keyscope processes on one database (as in pickup-across-processes.test.ts): a SCIM change to a
 * user's attributes made through one process re-evaluates the conditional rules (issue 13) of that
 * user's keys cached by the other, within a second (the change marks the user's tag, DESIGN §5).
 */
let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  ({ one, two } = await startTwoProcesses({ KEYSCOPE_PERMISSIONS: 'payments:approve' }));
});
afterAll(async () => {
  await two.close();
  await one.close();
});

const allowed = async (app: TestApp, token: string) =>
  (
    await app.http
      .post('/api/v1/authorize')
      .set('Authorization', `Bearer ${token}`)
      .send({ permission: 'payments:approve' })
  ).body.allowed === true;

describe('a conditional rule follows the user across processes', () => {
  it("a department change through one process grants and takes away on the other's cached key within 1 second", async () => {
    const scim = await scimClient(one);
    const body = oktaUser('fay@example.com', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      [ENTERPRISE]: { department: 'Sales' },
    });
    const user = (await scim.post('/Users', body)).body.id as string;
    const group = (await scim.post('/Groups', { displayName: 'Finance', members: [{ value: user }] })).body
      .id as string;
    const put = await one.http
      .put(`/api/v1/groups/${group}/rules`)
      .set('Authorization', `Bearer ${one.adminToken}`)
      .send({ rules: [{ permission: 'payments:approve', when: `${ENTERPRISE}:department eq "Payments"` }] });
    expect(put.status).toBe(200);
    const { token } = await createKey(one, { name: 'fay', kind: 'personal', ownerUserId: user });
    // Both processes resolve and cache it first.
    expect(await allowed(one, token)).toBe(false);
    expect(await allowed(two, token)).toBe(false);

    const to = (department: string) =>
      scim.patch(`/Users/${user}`, patchOp({ op: 'replace', path: `${ENTERPRISE}:department`, value: department }));
    expect((await to('Payments')).status).toBe(200);
    expect(await allowed(one, token)).toBe(true);
    await eventually(() => allowed(two, token), 1000);

    expect((await to('Sales')).status).toBe(200);
    expect(await allowed(one, token)).toBe(false);
    await eventually(async () => !(await allowed(two, token)), 1000);
  });
});
