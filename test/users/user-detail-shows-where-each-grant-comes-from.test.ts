import { bearer } from '../support/orgs.js';
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
 * GET /api/v1/users/:id (issue 13): the roles and entitlements the identity provider assigned (each
 * known or not, granting or not) and every entry of the user's grant with its source: a group's rule
 * (nested groups included, named with the user's own group they are reached through, the rule's role
 * named), an IdP role, an IdP entitlement; a conditional rule with its condition and whether it holds.
 */
let app: TestApp;
let scim: ScimClient;
const admin = () => bearer(app.adminToken);

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

const setIdpRoles = (idpRoles: boolean) =>
  app.http.patch('/api/v1/organizations/current').set(admin()).send({ idpRoles });

describe('GET /api/v1/users/:id', () => {
  let userId: string;
  let inner: string;
  let outer: string;

  beforeAll(async () => {
    userId = (
      await scim.post(
        '/Users',
        oktaUser('detail@example.com', {
          roles: [
            { value: 'developer', display: 'Developer', primary: true },
            { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole' },
          ],
          entitlements: [{ value: 'reports:read' }, { value: 'orgs:create' }],
        }),
      )
    ).body.id;
    inner = (await scim.post('/Groups', { displayName: 'Inner', members: [{ value: userId }] })).body.id;
    outer = (await scim.post('/Groups', { displayName: 'Outer', members: [{ value: inner }] })).body.id;
    await app.http
      .put(`/api/v1/groups/${inner}/rules`)
      .set(admin())
      .send({ rules: [{ permission: 'audit:read', resources: ['a1'] }] });
    await app.http
      .put(`/api/v1/groups/${outer}/rules`)
      .set(admin())
      .send({ rules: [{ role: 'viewer' }] });
  });
  afterEach(() => setIdpRoles(false));

  it('with idpRoles off: the assignments are shown, only the groups grant', async () => {
    const res = await app.http.get(`/api/v1/users/${userId}`).set(admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: userId, userName: 'detail@example.com', active: true, idpRoles: false });
    expect(res.body.roles).toEqual([
      { value: 'developer', display: 'Developer', primary: true, known: true, grants: false },
      { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole', known: false, grants: false },
    ]);
    expect(res.body.entitlements).toEqual([
      { value: 'reports:read', known: true, grants: false },
      { value: 'orgs:create', known: false, grants: false },
    ]);
    expect(res.body.grants).toEqual([
      { permission: 'audit:read', resources: ['a1'], source: { type: 'group', id: inner, name: 'Inner' } },
      {
        permission: '*:read',
        resources: null,
        source: { type: 'group', id: outer, name: 'Outer', role: 'viewer', via: { id: inner, name: 'Inner' } },
      },
    ]);
  });

  it('with idpRoles on: the known role and entitlement grant, each named as the source', async () => {
    await setIdpRoles(true);
    const res = await app.http.get(`/api/v1/users/${userId}`).set(admin());
    expect(res.body.idpRoles).toBe(true);
    expect(res.body.roles.map((r: { grants: boolean }) => r.grants)).toEqual([true, false]);
    expect(res.body.grants).toEqual([
      { permission: 'audit:read', resources: ['a1'], source: { type: 'group', id: inner, name: 'Inner' } },
      {
        permission: '*:read',
        resources: null,
        source: { type: 'group', id: outer, name: 'Outer', role: 'viewer', via: { id: inner, name: 'Inner' } },
      },
      { permission: 'keys:read', resources: null, source: { type: 'idpRole', value: 'developer' } },
      { permission: 'keys:write', resources: null, source: { type: 'idpRole', value: 'developer' } },
      { permission: 'groups:read', resources: null, source: { type: 'idpRole', value: 'developer' } },
      { permission: 'reports:read', resources: null, source: { type: 'idpEntitlement', value: 'reports:read' } },
    ]);
    // What it shows is what a personal key of the user holds (*:read covers the narrower entries).
    const key = await createKey(app, { name: 'detail', kind: 'personal', ownerUserId: userId });
    const me = await app.http.get('/api/v1/me').set(bearer(key.token));
    expect(me.body.permissions.map((g: { permission: string }) => g.permission).sort()).toEqual([
      '*:read',
      'keys:write',
    ]);
  });

  it('a deactivated user holds nothing', async () => {
    const other = (await scim.post('/Users', oktaUser('detail.gone@example.com', { roles: [{ value: 'admin' }] }))).body
      .id;
    await setIdpRoles(true);
    await scim.patch(`/Users/${other}`, patchOp({ op: 'replace', value: { active: false } }));
    const res = await app.http.get(`/api/v1/users/${other}`).set(admin());
    expect(res.body).toMatchObject({ active: false, grants: [] });
    expect(res.body.roles).toEqual([{ value: 'admin', known: true, grants: true }]);
  });

  it('needs users:read, and answers 404 for an unknown or malformed id', async () => {
    const group = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: 'Developers (detail)', rules: [{ role: 'developer' }] });
    const developer = await createKey(app, { name: 'dev', groupId: group.body.id });
    expect((await app.http.get(`/api/v1/users/${userId}`).set(bearer(developer.token))).status).toBe(403);
    expect((await app.http.get('/api/v1/users/00000000-0000-4000-8000-000000000000').set(admin())).status).toBe(404);
    const malformed = await app.http.get('/api/v1/users/not-an-id').set(admin());
    expect({ status: malformed.status, type: malformed.headers['content-type'] }).toEqual({
      status: 404,
      type: expect.stringMatching(/problem\+json/),
    });
  });
});

describe('GET /api/v1/users/:id: conditional rules', () => {
  it('a rule whose condition holds is in grants (when, holds: true); one that does not is only in conditionsNotMet', async () => {
    const user = (await scim.post('/Users', oktaUser('cond.detail@example.com', { title: 'Lead' }))).body.id;
    const group = (await scim.post('/Groups', { displayName: 'Conditional detail', members: [{ value: user }] })).body
      .id;
    const rules = [
      { permission: 'keys:read' },
      { permission: 'audit:read', when: 'title eq "Lead"' },
      { role: 'viewer', when: 'title eq "Intern"' },
    ];
    expect((await app.http.put(`/api/v1/groups/${group}/rules`).set(admin()).send({ rules })).status).toBe(200);
    const res = await app.http.get(`/api/v1/users/${user}`).set(admin());
    const source = { type: 'group', id: group, name: 'Conditional detail' };
    expect(res.body.grants).toEqual([
      { permission: 'keys:read', resources: null, source },
      { permission: 'audit:read', resources: null, source: { ...source, when: 'title eq "Lead"', holds: true } },
    ]);
    expect(res.body.conditionsNotMet).toEqual([
      {
        permission: '*:read',
        resources: null,
        source: { ...source, role: 'viewer', when: 'title eq "Intern"', holds: false },
      },
    ]);
    // What the detail says is what a key of theirs holds.
    const key = await createKey(app, { name: 'cond detail key', kind: 'personal', ownerUserId: user });
    const me = await app.http.get('/api/v1/me').set(bearer(key.token));
    expect(me.body.permissions.map((g: { permission: string }) => g.permission).sort()).toEqual([
      'audit:read',
      'keys:read',
    ]);
  });
});
