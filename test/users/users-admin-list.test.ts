import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /api/v1/users: the provisioned users by name, paged, for callers holding users:read. */

let app: TestApp;
const admin = () => bearer(app.adminToken);

beforeAll(async () => {
  app = await startTestApp();
  const scim = await scimClient(app);
  for (const name of ['carol', 'alice', 'bob'])
    expect((await scim.post('/Users', oktaUser(`${name}@example.com`))).status).toBe(201);
});
afterAll(() => app.close());

it('pages through every user in name order with the cursor it returns', async () => {
  const first = await app.http.get('/api/v1/users?limit=2').set(admin());
  expect(first.status).toBe(200);
  expect(first.body.items.map((u: { userName: string }) => u.userName)).toEqual([
    'alice@example.com',
    'bob@example.com',
  ]);
  const second = await app.http.get(`/api/v1/users?limit=2&cursor=${first.body.nextCursor}`).set(admin());
  expect({
    names: second.body.items.map((u: { userName: string }) => u.userName),
    next: second.body.nextCursor,
  }).toEqual({ names: ['carol@example.com'], next: null });
});

it('answers 400 naming the cursor for one it did not issue', async () => {
  for (const cursor of [
    'junk',
    Buffer.from('["a","not-a-uuid"]').toString('base64url'),
    Buffer.from('{}').toString('base64url'),
  ]) {
    const res = await app.http.get(`/api/v1/users?cursor=${cursor}`).set(admin());
    expect({
      status: res.status,
      code: res.body.code,
      fields: res.body.errors?.map((e: { field: string }) => e.field),
    }).toEqual({ status: 400, code: 'invalid_value', fields: ['cursor'] });
  }
});

it('answers 403 to a key without users:read, before looking at its query', async () => {
  const { token } = await createKey(app, { name: 'no users', permissions: ['keys:read'] });
  for (const url of ['/api/v1/users', '/api/v1/users?cursor=junk&limit=0']) {
    const res = await app.http.get(url).set(bearer(token));
    expect({ status: res.status, detail: res.body.detail }).toEqual({
      status: 403,
      detail: expect.stringContaining('users:read'),
    });
  }
});
