import { eventually, startTwoProcesses } from '../support/two-processes.js';
import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, patchOp, scimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 13, DESIGN §5: a change of a person's roles or entitlements (SCIM PATCH or PUT) or of the
 * organization's idpRoles policy, made through one process, reaches the person's key cached by
 * another process within 1 second (the user's and the organization's invalidation tags).
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
  (await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission })).body.allowed === true;

const setIdpRoles = (app: TestApp, idpRoles: boolean) =>
  app.http.patch('/api/v1/organizations/current').set(bearer(app.adminToken)).send({ idpRoles });

describe('roles and entitlements pick up across processes', () => {
  it('a policy flip and SCIM role and entitlement changes on one process reach the other within 1 second', async () => {
    const scim = await scimClient(one);
    const user = (await scim.post('/Users', oktaUser('idp.live@example.com', { roles: [{ value: 'viewer' }] }))).body
      .id as string;
    const { token } = await createKey(one, { name: 'idp live', kind: 'personal', ownerUserId: user });
    // Cached on the second process, granting nothing yet.
    expect(await allowed(two, token, 'audit:read')).toBe(false);

    expect((await setIdpRoles(one, true)).status).toBe(200);
    await eventually(() => allowed(two, token, 'audit:read'), 1000);

    await scim.patch(`/Users/${user}`, patchOp({ op: 'replace', path: 'roles', value: [{ value: 'developer' }] }));
    await eventually(async () => !(await allowed(two, token, 'audit:read')), 1000);
    expect(await allowed(two, token, 'keys:write')).toBe(true);

    await scim.patch(
      `/Users/${user}`,
      patchOp({ op: 'add', path: 'entitlements', value: [{ value: 'reports:read' }] }),
    );
    await eventually(() => allowed(two, token, 'reports:read'), 1000);

    await scim.put(`/Users/${user}`, oktaUser('idp.live@example.com'));
    await eventually(async () => !(await allowed(two, token, 'keys:write')), 1000);
    expect(await allowed(two, token, 'reports:read')).toBe(false);

    await scim.patch(`/Users/${user}`, patchOp({ op: 'add', path: 'roles', value: [{ value: 'admin' }] }));
    await eventually(() => allowed(two, token, 'org:admin'), 1000);
    expect((await setIdpRoles(one, false)).status).toBe(200);
    await eventually(async () => !(await allowed(two, token, 'org:admin')), 1000);
  });
});
