import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * POST /api/v1/authorize with a permission the deployment does not know (a typo, or an application
 * permission missing from KEYSCOPE_PERMISSIONS) answers 400 unknown_permission, never a 200 that a
 * service would read as a plain "no" (or, for a `*` key, as a "yes").
 */
let app: TestApp;
let groupKey: string;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function authorize(token: string, body: Record<string, unknown>) {
  return app.http.post('/api/v1/authorize').set(bearer(token)).send(body);
}

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'projects:read,projects:write' } });
  const group = await app.http
    .post('/api/v1/groups')
    .set(bearer(app.adminToken))
    .send({ displayName: 'Readers', rules: [{ permission: 'projects:read' }] });
  expect(group.status).toBe(201);
  groupKey = (await createKey(app, { name: 'reader', groupId: group.body.id })).token;
});
afterAll(() => app.close());

describe('POST /api/v1/authorize: unknown permission', () => {
  it('is a 400 unknown_permission problem naming the field, for a narrow key', async () => {
    const res = await authorize(groupKey, { permission: 'projcts:read' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 400,
      code: 'unknown_permission',
      detail: expect.stringContaining('"projcts:read"'),
      errors: [{ field: 'permission', message: expect.stringContaining('projcts:read') }],
    });
  });

  it('is a 400 for a `*` key too, which would otherwise be allowed the typo', async () => {
    const res = await authorize(app.adminToken, { permission: 'projects:reed' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('unknown_permission');
  });

  it('is a 400 for a value that is no permission at all', async () => {
    for (const permission of ['projects', 'Projects:Read', 'a:b:c']) {
      const res = await authorize(groupKey, { permission });
      expect({ permission, status: res.status, code: res.body.code }).toEqual({
        permission,
        status: 400,
        code: 'unknown_permission',
      });
    }
  });

  it('leaves known permissions as they were: allowed, or a 200 denial with its reason', async () => {
    expect((await authorize(groupKey, { permission: 'projects:read' })).body).toEqual({ allowed: true });
    const denied = await authorize(groupKey, { permission: 'projects:write' });
    expect(denied.status).toBe(200);
    expect(denied.body).toEqual({ allowed: false, reason: expect.stringContaining('projects:write') });
    const builtin = await authorize(groupKey, { permission: 'keys:read' });
    expect(builtin.status).toBe(200);
    expect(builtin.body.allowed).toBe(false);
    expect((await authorize(groupKey, { permission: 'projects:read', resource: 'alpha' })).body).toEqual({
      allowed: true,
    });
  });

  it('knows patterns that match something: `projects:*`, `*:read`, `*`', async () => {
    for (const permission of ['projects:*', '*:read', '*']) {
      const res = await authorize(app.adminToken, { permission });
      expect({ permission, status: res.status, body: res.body }).toEqual({
        permission,
        status: 200,
        body: { allowed: true },
      });
    }
    const unknownResource = await authorize(app.adminToken, { permission: 'widgets:*' });
    expect(unknownResource.body.code).toBe('unknown_permission');
  });

  it('authenticates first: a bad key asking about an unknown permission gets 401', async () => {
    const res = await authorize('not-a-key', { permission: 'projcts:read' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
