import { scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * A real fault, not a mock: the test drops a table under the running app, so the next query fails in
 * a way no client could cause. The answer must be a plain 500 (never a 404, never a stack trace),
 * and the log must hold the error with the request id.
 */
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  await app.db.exec('DROP TABLE users CASCADE');
});
afterAll(() => app.close());

describe('an unexpected server error', () => {
  it('is a plain SCIM 500 on /scim/v2, logged with its request id', async () => {
    const res = await scim.get('/Users?filter=userName eq "x@example.com"');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const requestId = res.headers['x-request-id'] as string;
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '500',
      detail: `Internal server error (request id ${requestId})`,
    });
    expect(res.text).not.toMatch(/\bat \w|\.ts:|\.js:|relation|users/);
    const logged = app
      .logs()
      .split('\n')
      .find((line) => line.includes(requestId) && line.includes('unexpected error'));
    expect(logged).toBeDefined();
    expect(logged).toMatch(/"level":50/);
  });

  it('is a plain problem+json 500 on the admin API', async () => {
    const res = await app.http.get('/api/v1/users').set('Authorization', `Bearer ${app.adminToken}`);
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 500, code: 'internal_error', title: 'Internal Server Error' });
    expect(JSON.stringify(res.body)).not.toMatch(/relation|stack|\.ts:/);
  });
});
