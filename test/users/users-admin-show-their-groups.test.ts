import { bearer } from '../support/orgs.js';
import { createKey, GROUP_SCHEMA, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /api/v1/users lists each user's direct groups; GET /api/v1/users/:id answers one user, their
 * status and every group they are in (direct and nested).
 */

let app: TestApp;
const admin = () => bearer(app.adminToken);
let dana: string;
let engineering: string;
let platform: string;

beforeAll(async () => {
  app = await startTestApp();
  const scim = await scimClient(app);
  const created = await scim.post('/Users', oktaUser('dana@example.com', { displayName: 'Dana Scully' }));
  expect(created.status).toBe(201);
  dana = created.body.id;
  const eng = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'Engineering',
    members: [{ value: dana }],
  });
  expect(eng.status).toBe(201);
  engineering = eng.body.id;
  const plat = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'Platform',
    members: [{ value: engineering }],
  });
  expect(plat.status).toBe(201);
  platform = plat.body.id;
});
afterAll(() => app.close());

it('lists each user with the groups they are directly in', async () => {
  const res = await app.http.get('/api/v1/users?q=dana').set(admin());
  expect(res.status).toBe(200);
  expect(res.body.items).toEqual([
    {
      id: dana,
      userName: 'dana@example.com',
      displayName: 'Dana Scully',
      externalId: null,
      active: true,
      groups: [{ id: engineering, displayName: 'Engineering' }],
    },
  ]);
});

it('answers the user with their direct and nested groups', async () => {
  const res = await app.http.get(`/api/v1/users/${dana}`).set(admin());
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id: dana,
    userName: 'dana@example.com',
    displayName: 'Dana Scully',
    active: true,
    createdAt: expect.any(String),
  });
  const groups = [...res.body.groups].sort((a: { displayName: string }, b: { displayName: string }) =>
    a.displayName.localeCompare(b.displayName),
  );
  expect(groups).toEqual([
    { id: engineering, displayName: 'Engineering', type: 'direct' },
    { id: platform, displayName: 'Platform', type: 'indirect' },
  ]);
});

it('answers 404 for an unknown id and for one that is not an id', async () => {
  for (const id of ['7d3c1a8e-0000-4000-8000-000000000000', 'not-an-id']) {
    const res = await app.http.get(`/api/v1/users/${id}`).set(admin());
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'not_found' });
  }
});

it('answers 403 to a key without users:read', async () => {
  const { token } = await createKey(app, { name: 'no users', permissions: ['keys:read'] });
  const res = await app.http.get(`/api/v1/users/${dana}`).set(bearer(token));
  expect({ status: res.status, detail: res.body.detail }).toEqual({
    status: 403,
    detail: expect.stringContaining('users:read'),
  });
});
