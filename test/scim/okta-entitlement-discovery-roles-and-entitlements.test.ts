import { expectScim, expectScimError, filterQuery, type Json } from '../support/clients.js';
import { bearer } from '../support/orgs.js';
import { createKey, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Okta Identity Governance discovers an app's entitlements from SCIM ("Build a SCIM 2.0 server with
 * entitlements", developer.okta.com): GET /ResourceTypes, then for every resource type whose schema
 * is Okta's Role or Entitlement URN, every value of its endpoint. keyscope serves its roles at /Roles
 * and its permissions (built-ins and KEYSCOPE_PERMISSIONS, never the platform ones) at /Entitlements,
 * read-only; each resource's id is the value a user's roles or entitlements carries to assign it.
 */
const ROLE = 'urn:okta:scim:schemas:core:1.0:Role';
const ENTITLEMENT = 'urn:okta:scim:schemas:core:1.0:Entitlement';

let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read,reports:write' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

const ids = (body: Json) => (body.Resources as Json[]).map((r) => r.id);

describe('discovery', () => {
  it('lists Role and Entitlement in /ResourceTypes with Okta’s URNs, after User and Group', async () => {
    const res = await scim.get('/ResourceTypes');
    expectScim(res, 200);
    const types = res.body.Resources as Json[];
    expect(types.map((t) => t.id)).toEqual(['User', 'Group', 'Role', 'Entitlement']);
    expect(res.body.totalResults).toBe(4);
    expect(types[2]).toMatchObject({ name: 'Role', endpoint: '/Roles', schema: ROLE });
    expect(types[3]).toMatchObject({ name: 'Entitlement', endpoint: '/Entitlements', schema: ENTITLEMENT });
    expectScim(await scim.get('/ResourceTypes/Entitlement'), 200);
  });

  it('serves both schemas in /Schemas', async () => {
    const res = await scim.get('/Schemas');
    expect((res.body.Resources as Json[]).map((s) => s.id)).toEqual(expect.arrayContaining([ROLE, ENTITLEMENT]));
    const role = await scim.get(`/Schemas/${ROLE}`);
    expectScim(role, 200);
    expect((role.body.attributes as Json[]).map((a) => a.name)).toEqual(['displayName', 'type', 'description']);
  });
});

describe('/Roles', () => {
  it('lists keyscope’s roles as a ListResponse', async () => {
    const res = await scim.get('/Roles');
    expectScim(res, 200);
    expect(res.body).toMatchObject({ totalResults: 4, startIndex: 1, itemsPerPage: 4 });
    expect(ids(res.body)).toEqual(['admin', 'key-manager', 'developer', 'viewer']);
    expect((res.body.Resources as Json[])[1]).toEqual({
      schemas: [ROLE],
      id: 'key-manager',
      displayName: 'Key manager',
      type: 'Role',
      description: expect.stringContaining('keys:manage'),
      meta: { resourceType: 'Role', location: expect.stringMatching(/\/scim\/v2\/Roles\/key-manager$/) },
    });
  });

  it('reads one by id, and 404 for an unknown one', async () => {
    const res = await scim.get('/Roles/viewer');
    expectScim(res, 200);
    expect(res.body).toMatchObject({ id: 'viewer', displayName: 'Viewer' });
    expectScimError(await scim.get('/Roles/owner'), 404);
  });

  it('pages with startIndex and count and filters', async () => {
    const page = await scim.get('/Roles?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(ids(page.body)).toEqual(['key-manager', 'developer']);
    const found = await scim.get(`/Roles?${filterQuery('displayName eq "developer" or id sw "key"')}`);
    expect(ids(found.body)).toEqual(['key-manager', 'developer']);
    expectScimError(await scim.get(`/Roles?${filterQuery('color eq "red"')}`), 400, 'invalidFilter');
    expectScimError(await scim.get(`/Roles?${filterQuery('id eq')}`), 400, 'invalidFilter');
  });

  it('is read-only', async () => {
    expectScimError(await scim.post('/Roles', { schemas: [ROLE], displayName: 'owner' }), 405);
    expectScimError(await scim.delete('/Roles/admin'), 405);
  });
});

describe('/Entitlements', () => {
  it('lists every permission an organization can hold, application permissions included, platform ones not', async () => {
    const res = await scim.get('/Entitlements');
    expectScim(res, 200);
    const all = ids(res.body);
    expect(all).toEqual(
      expect.arrayContaining(['org:admin', 'keys:read', 'audit:read', 'reports:read', 'reports:write']),
    );
    expect(all).not.toContain('orgs:create');
    expect(all).not.toContain('metrics:read');
    expect(res.body.totalResults).toBe(all.length);
    const reports = (res.body.Resources as Json[]).find((r) => r.id === 'reports:read');
    expect(reports).toMatchObject({ schemas: [ENTITLEMENT], displayName: 'reports:read', type: 'Permission' });
  });

  it('reads one by id, the colon as sent or percent-encoded', async () => {
    expect((await scim.get('/Entitlements/keys:read')).body).toMatchObject({ id: 'keys:read' });
    expect((await scim.get('/Entitlements/keys%3Aread')).body).toMatchObject({ id: 'keys:read' });
    expectScimError(await scim.get('/Entitlements/orgs:create'), 404);
    expectScimError(await scim.get('/Entitlements/keys:*'), 404);
  });

  it('filters by id prefix', async () => {
    const res = await scim.get(`/Entitlements?${filterQuery('id sw "reports:"')}`);
    expect(ids(res.body)).toEqual(['reports:read', 'reports:write']);
  });
});

describe('who may call them', () => {
  it('only keys with the SCIM flag, like the rest of /scim/v2', async () => {
    const plain = await createKey(app, { name: 'no scim flag' });
    const res = await app.http.get('/scim/v2/Roles').set(bearer(plain.token));
    expectScimError(res, 403);
    expectScimError(await app.http.get('/scim/v2/Entitlements'), 401);
  });
});
