import { createUser, expectScim, filterQuery, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// RFC 7643 §4.1.2: `roles` and `entitlements` are multi-valued complex attributes (value, display,
// type, primary). keyscope keeps them as the identity provider sends them, returns them, filters on
// them in SQL (RFC 7644 §3.4.2.2: value paths and dotted sub-attributes) and PATCHes them.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const ids = (res: { body: Json }) => ((res.body.Resources as Json[]) ?? []).map((r) => r.id).sort();

describe('roles and entitlements as the identity provider sends them', () => {
  let admin: Json & { id: string };
  let reader: Json & { id: string };

  beforeAll(async () => {
    admin = await createUser(
      scim,
      oktaUser('role.admin@example.com', {
        roles: [{ value: 'admin', display: 'Administrator', type: 'KeyscopeRole', primary: true }],
        entitlements: [{ value: 'keys:read', display: 'Read keys' }],
      }),
    );
    reader = await createUser(
      scim,
      oktaUser('role.reader@example.com', {
        roles: [
          { value: 'viewer', display: 'Viewer' },
          { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole', primary: false },
        ],
        entitlements: [{ value: 'reports:read' }, { value: 'keys:read' }],
      }),
    );
  });

  it('returns them on GET exactly as sent', async () => {
    const read = await readBack(scim, `/Users/${admin.id}`);
    expect(read.roles).toEqual([{ value: 'admin', display: 'Administrator', type: 'KeyscopeRole', primary: true }]);
    expect(read.entitlements).toEqual([{ value: 'keys:read', display: 'Read keys' }]);
    expect((await readBack(scim, `/Users/${reader.id}`)).roles).toEqual([
      { value: 'viewer', display: 'Viewer' },
      { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole', primary: false },
    ]);
  });

  it.each([
    ['roles[value eq "admin"]', () => [admin.id]],
    ['roles.value eq "viewer"', () => [reader.id]],
    ['roles eq "admin"', () => [admin.id]],
    ['roles[type eq "WindowsAzureActiveDirectoryRole" and value eq "Approver"]', () => [reader.id]],
    ['roles[primary eq true]', () => [admin.id]],
    ['entitlements.value eq "keys:read"', () => [admin.id, reader.id]],
    ['entitlements[value eq "reports:read"]', () => [reader.id]],
    ['entitlements[value sw "keys:"] and roles[value eq "viewer"]', () => [reader.id]],
    ['roles pr and not (roles[value eq "admin"])', () => [reader.id]],
  ])('filters with %s', async (filter, expected) => {
    const res = await scim.get(`/Users?${filterQuery(filter)}`);
    expectScim(res, 200);
    expect(ids(res)).toEqual(expected().sort());
  });

  it('adds, replaces and removes roles and entitlements with PATCH', async () => {
    const user = await createUser(scim, oktaUser('role.patch@example.com'));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp(
          { op: 'add', path: 'roles', value: [{ value: 'developer' }, { value: 'viewer' }] },
          { op: 'add', path: 'entitlements', value: [{ value: 'audit:read', display: 'Audit' }] },
        ),
      ),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`)).roles).toEqual([{ value: 'developer' }, { value: 'viewer' }]);

    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'roles[value eq "developer"]' })),
      200,
    );
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'replace', path: 'entitlements[value eq "audit:read"].display', value: 'Audit log' }),
      ),
      200,
    );
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.roles).toEqual([{ value: 'viewer' }]);
    expect(read.entitlements).toEqual([{ value: 'audit:read', display: 'Audit log' }]);
    const found = await scim.get(
      `/Users?${filterQuery('roles[value eq "viewer"] and entitlements[display eq "Audit log"]')}`,
    );
    expect(ids(found)).toEqual([user.id]);

    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'roles' })), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).roles).toBeUndefined();
  });

  it('replaces them with a full PUT', async () => {
    const user = await createUser(scim, oktaUser('role.put@example.com', { roles: [{ value: 'viewer' }] }));
    const res = await scim.put(
      `/Users/${user.id}`,
      oktaUser('role.put@example.com', { roles: [{ value: 'key-manager', primary: true }] }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).roles).toEqual([{ value: 'key-manager', primary: true }]);
  });
});
