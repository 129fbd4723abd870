import { bearer, createOrganization, scimClientFor } from '../support/orgs.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Issue 13: the roles and entitlements the identity provider assigns a person grant through the
 * organization policy `idpRoles` (false by default). With it false they are stored and shown and
 * grant nothing; with it true a person's grant is the union of their groups' rules and, for each
 * role value keyscope knows, that role's permissions, for each entitlement value that is a known
 * permission, that permission. A value keyscope does not know grants nothing, and no entitlement
 * reaches the platform permissions. A change picks up at the key's next request.
 */
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({
    env: { KEYSCOPE_PERMISSIONS: 'reports:read,reports:write', PUBLIC_URL: 'https://keyscope.test' },
  });
  scim = await scimClient(app);
});
afterAll(() => app.close());

const admin = () => bearer(app.adminToken);

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  if (res.status !== 200) throw new Error(`authorize ${permission}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.allowed === true;
}

async function setIdpRoles(value: boolean, token = app.adminToken) {
  return app.http.patch('/api/v1/organizations/current').set(bearer(token)).send({ idpRoles: value });
}

async function person(userName: string, extra: Record<string, unknown>) {
  const user = (await scim.post('/Users', oktaUser(userName, extra))).body.id as string;
  const key = await createKey(app, { name: `${userName} key`, kind: 'personal', ownerUserId: user });
  return { user, token: key.token, keyId: key.id };
}

afterEach(async () => {
  expect((await setIdpRoles(false)).status).toBe(200);
});

describe('policy idpRoles', () => {
  it('is false by default and only org:admin changes it, audited', async () => {
    const current = await app.http.get('/api/v1/organizations/current').set(admin());
    expect(current.body.policy.idpRoles).toBe(false);
    const group = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Key managers (idp policy)', rules: [{ role: 'key-manager' }] });
    const manager = await createKey(app, { name: 'manager', groupId: group.body.id });
    const refused = await setIdpRoles(true, manager.token);
    expect(refused.status).toBe(403);
    const res = await setIdpRoles(true);
    expect(res.status).toBe(200);
    expect(res.body.policy.idpRoles).toBe(true);
    const audit = await app.http.get('/api/v1/audit').set(admin());
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'org.policy', details: { idpRoles: true }, target: `org:${app.orgId}` }),
      ]),
    );
  });

  it('with it false, roles and entitlements are stored and shown but grant nothing', async () => {
    const p = await person('idp.off@example.com', {
      roles: [{ value: 'admin' }],
      entitlements: [{ value: 'reports:read' }],
    });
    expect(await allowed(p.token, 'keys:read')).toBe(false);
    expect(await allowed(p.token, 'reports:read')).toBe(false);
    expect((await scim.get(`/Users/${p.user}`)).body.roles).toEqual([{ value: 'admin' }]);
  });

  it('with it true, known roles and entitlements grant; unknown values and platform permissions do not', async () => {
    const p = await person('idp.on@example.com', {
      roles: [
        { value: 'developer', primary: true },
        { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole' },
      ],
      entitlements: [{ value: 'reports:read' }, { value: 'orgs:create' }, { value: 'metrics:read' }, { value: 'x:y' }],
    });
    expect(await allowed(p.token, 'keys:write')).toBe(false);
    await setIdpRoles(true);
    // developer: keys:read, keys:write, groups:read; the entitlement reports:read.
    expect(await allowed(p.token, 'keys:write')).toBe(true);
    expect(await allowed(p.token, 'groups:read')).toBe(true);
    expect(await allowed(p.token, 'reports:read')).toBe(true);
    expect(await allowed(p.token, 'reports:write')).toBe(false);
    expect(await allowed(p.token, 'keys:manage')).toBe(false);
    expect(await allowed(p.token, 'orgs:create')).toBe(false);
    expect(await allowed(p.token, 'metrics:read')).toBe(false);
    const me = await app.http.get('/api/v1/me').set(bearer(p.token));
    expect(me.body.permissions.map((g: { permission: string }) => g.permission).sort()).toEqual([
      'groups:read',
      'keys:read',
      'keys:write',
      'reports:read',
    ]);
  });

  it('adds to the groups’ rules (a union) and picks up SCIM changes and policy flips at the next request', async () => {
    const p = await person('idp.union@example.com', { roles: [{ value: 'viewer' }] });
    const group = (await scim.post('/Groups', { displayName: 'Reporters (idp union)', members: [{ value: p.user }] }))
      .body.id as string;
    await app.http
      .put(`/api/v1/groups/${group}/rules`)
      .set(admin())
      .send({ rules: [{ permission: 'reports:write' }] });
    await setIdpRoles(true);
    expect(await allowed(p.token, 'reports:write')).toBe(true);
    expect(await allowed(p.token, 'audit:read')).toBe(true);

    await scim.patch(`/Users/${p.user}`, patchOp({ op: 'remove', path: 'roles[value eq "viewer"]' }));
    expect(await allowed(p.token, 'audit:read')).toBe(false);
    expect(await allowed(p.token, 'reports:write')).toBe(true);

    await scim.patch(
      `/Users/${p.user}`,
      patchOp({ op: 'add', path: 'entitlements', value: [{ value: 'audit:read' }] }),
    );
    expect(await allowed(p.token, 'audit:read')).toBe(true);

    await scim.put(`/Users/${p.user}`, oktaUser('idp.union@example.com', { roles: [{ value: 'admin' }] }));
    expect(await allowed(p.token, 'org:admin')).toBe(true);
    expect(await allowed(p.token, 'audit:read')).toBe(true);

    await setIdpRoles(false);
    expect(await allowed(p.token, 'org:admin')).toBe(false);
    expect(await allowed(p.token, 'reports:write')).toBe(true);
  });

  it('a deactivated person holds nothing, whatever their roles', async () => {
    const p = await person('idp.inactive@example.com', { roles: [{ value: 'admin' }] });
    await setIdpRoles(true);
    expect(await allowed(p.token, 'org:admin')).toBe(true);
    await scim.patch(`/Users/${p.user}`, patchOp({ op: 'replace', value: { active: false } }));
    expect((await app.http.get('/api/v1/me').set(bearer(p.token))).status).toBe(401);
  });

  it('a key’s own permissions still narrow it, and a personal key narrowed to a group holds only that group’s grant', async () => {
    const p = await person('idp.narrow@example.com', { roles: [{ value: 'admin' }] });
    const group = (await scim.post('/Groups', { displayName: 'Readers (idp narrow)', members: [{ value: p.user }] }))
      .body.id as string;
    await app.http
      .put(`/api/v1/groups/${group}/rules`)
      .set(admin())
      .send({ rules: [{ permission: 'reports:read' }] });
    await setIdpRoles(true);
    const restricted = await createKey(app, {
      name: 'restricted',
      kind: 'personal',
      ownerUserId: p.user,
      permissions: ['keys:read', 'audit:read'],
    });
    expect(await allowed(restricted.token, 'audit:read')).toBe(true);
    expect(await allowed(restricted.token, 'keys:write')).toBe(false);
    const inGroup = await createKey(app, { name: 'in group', kind: 'personal', ownerUserId: p.user, groupId: group });
    expect(await allowed(inGroup.token, 'reports:read')).toBe(true);
    expect(await allowed(inGroup.token, 'org:admin')).toBe(false);
  });

  it('no escalation: a restricted key of an IdP-made admin cannot issue a key beyond itself', async () => {
    const p = await person('idp.escalate@example.com', { roles: [{ value: 'admin' }] });
    await setIdpRoles(true);
    const narrowKey = await createKey(app, {
      name: 'narrow',
      kind: 'personal',
      ownerUserId: p.user,
      permissions: ['keys:write', 'keys:read'],
    });
    const wide = await app.http
      .post('/api/v1/keys')
      .set(bearer(narrowKey.token))
      .send({ name: 'wide', kind: 'personal' });
    expect(wide.status).toBe(403);
    const same = await app.http
      .post('/api/v1/keys')
      .set(bearer(narrowKey.token))
      .send({ name: 'same', kind: 'personal', permissions: ['keys:read'] });
    expect(same.status).toBe(201);
    expect(await allowed(same.body.token, 'keys:read')).toBe(true);
    expect(await allowed(same.body.token, 'org:admin')).toBe(false);
    // With the policy off again the admin role is gone, so what the IdP granted cannot be kept.
    await setIdpRoles(false);
    expect(await allowed(same.body.token, 'keys:read')).toBe(false);
  });

  it('is each organization’s own: another organization’s people gain nothing from this one’s policy', async () => {
    const other = await createOrganization(app);
    const otherScim = await scimClientFor(app, other.token);
    const user = (
      await otherScim.post('/Users', oktaUser('idp.other-org@example.com', { roles: [{ value: 'admin' }] }))
    ).body.id as string;
    const key = await createKey(app, { name: 'other org person', kind: 'personal', ownerUserId: user }, other.token);
    await setIdpRoles(true);
    expect(await allowed(key.token, 'org:admin')).toBe(false);
    expect((await app.http.get(`/api/v1/users/${user}`).set(admin())).status).toBe(404);
    expect(
      (await app.http.patch('/api/v1/organizations/current').set(bearer(other.token)).send({ idpRoles: true })).status,
    ).toBe(200);
    expect(await allowed(key.token, 'org:admin')).toBe(true);
  });

  it('an impersonation token holds what the user holds through the identity provider, and loses it live', async () => {
    const p = await person('idp.impersonated@example.com', { entitlements: [{ value: 'reports:read' }] });
    const gateway = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Gateway (idp)', rules: [{ permission: 'reports:*' }, { permission: 'users:read' }] });
    const imp = await createKey(app, { name: 'gateway', groupId: gateway.body.id, impersonation: true });
    await setIdpRoles(true);
    const res = await app.http.post('/api/v1/token').set(bearer(imp.token)).type('form').send({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: imp.token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_subject: p.user,
    });
    expect({ status: res.status, scope: res.body.scope }).toEqual({ status: 200, scope: 'reports:read' });
    const jwt = res.body.access_token as string;
    expect(await allowed(jwt, 'reports:read')).toBe(true);
    await scim.patch(`/Users/${p.user}`, patchOp({ op: 'remove', path: 'entitlements' }));
    expect(await allowed(jwt, 'reports:read')).toBe(false);
  });
});
