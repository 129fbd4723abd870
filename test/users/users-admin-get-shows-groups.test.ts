import { createGroup, createUser } from '../support/fixtures.js';
import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /api/v1/users/:id: one provisioned user and its groups, direct and through nesting (users:read). */

let app: TestApp;
let userId: string;
let teamId: string;
let orgWideId: string;

beforeAll(async () => {
  app = await startTestApp();
  const scim = await scimClient(app);
  userId = (await createUser(scim, oktaUser('lin@example.com', { externalId: 'okta-lin' }))).id;
  teamId = (await createGroup(scim, 'Team', { members: [{ value: userId }] })).id;
  orgWideId = (await createGroup(scim, 'Org wide', { members: [{ value: teamId, type: 'Group' }] })).id;
});
afterAll(() => app.close());

it('shows the user and each group it is in, marked direct or indirect', async () => {
  const res = await app.http.get(`/api/v1/users/${userId}`).set(bearer(app.adminToken));
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    id: userId,
    userName: 'lin@example.com',
    displayName: 'Given Family',
    externalId: 'okta-lin',
    active: true,
    groups: expect.arrayContaining([
      { id: teamId, displayName: 'Team', type: 'direct' },
      { id: orgWideId, displayName: 'Org wide', type: 'indirect' },
    ]),
    // No role or entitlement from the identity provider, and groups without rules: nothing held.
    idpRoles: false,
    roles: [],
    entitlements: [],
    grants: [],
    conditionsNotMet: [],
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  expect(res.body.groups).toHaveLength(2);
});

it('answers 404 for an unknown or malformed id, and 403 without users:read', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const res = await app.http.get(`/api/v1/users/${id}`).set(bearer(app.adminToken));
    expect({ status: res.status, detail: res.body.detail }).toEqual({ status: 404, detail: `User ${id} not found` });
  }
  const { token } = await createKey(app, { name: 'no users', permissions: ['keys:read'] });
  const res = await app.http.get(`/api/v1/users/${userId}`).set(bearer(token));
  expect({ status: res.status, detail: res.body.detail }).toEqual({
    status: 403,
    detail: expect.stringContaining('users:read'),
  });
});
