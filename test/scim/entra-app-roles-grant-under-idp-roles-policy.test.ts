import { createUser, entraUser, expectScim } from '../support/clients.js';
import { bearer } from '../support/orgs.js';
import { createKey, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Entra ID app roles (Microsoft Learn, "Customize user provisioning attribute-mappings", Provisioning
 * a role to a SCIM app): with AppRoleAssignmentsComplex, POST carries each role as {"primary": false,
 * "type": "WindowsAzureActiveDirectoryRole", "display", "value"}; the default PATCH dialect sends
 * an assignment as a JSON string inside `value` ({"id", "value", "displayName"}). Under the idpRoles
 * policy an app role whose value is a keyscope role grants it, in either form; kept as sent.
 */
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  await app.http.patch('/api/v1/organizations/current').set(bearer(app.adminToken)).send({ idpRoles: true });
});
afterAll(() => app.close());

const allowed = async (token: string, permission: string) =>
  (await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission })).body.allowed === true;

it('an app role sent on create grants its keyscope role', async () => {
  const user = await createUser(
    scim,
    entraUser('approle.create@contoso.com', {
      roles: [
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Viewer', value: 'viewer' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Approver', value: 'Approver' },
      ],
    }),
  );
  const { token } = await createKey(app, { name: 'approle create', kind: 'personal', ownerUserId: user.id });
  expect(await allowed(token, 'audit:read')).toBe(true);
  expect(await allowed(token, 'keys:write')).toBe(false);
});

it('an app role added with Entra’s JSON-string PATCH value grants the role it names, and is kept as sent', async () => {
  const user = await createUser(scim, entraUser('approle.patch@contoso.com'));
  const { token } = await createKey(app, { name: 'approle patch', kind: 'personal', ownerUserId: user.id });
  expect(await allowed(token, 'keys:write')).toBe(false);
  const sent = JSON.stringify({ id: '06b07648-ecfe-589f-9d2f-6325724a46ee', value: 'developer', displayName: 'Dev' });
  const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'roles', value: [{ value: sent }] }));
  expectScim(res, 200);
  expect(res.body.roles).toEqual([{ value: sent }]);
  expect(await allowed(token, 'keys:write')).toBe(true);
  const detail = await app.http.get(`/api/v1/users/${user.id}`).set(bearer(app.adminToken));
  expect(detail.body.roles).toEqual([{ value: sent, names: 'developer', known: true, grants: true }]);
  expect(detail.body.grants).toContainEqual({
    permission: 'keys:write',
    resources: null,
    source: { type: 'idpRole', value: 'developer' },
  });

  // Entra removes the assignment: the role goes at the key's next request.
  expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: 'roles' })), 200);
  expect(await allowed(token, 'keys:write')).toBe(false);
});
