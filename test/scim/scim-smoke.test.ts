import { oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('SCIM basics', () => {
  it('creates, reads, lists and deletes a user', async () => {
    const created = await scim.post('/Users', oktaUser('smoke@example.com'));
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(created.headers.location).toBe(`${created.body.meta.location}`);
    expect(created.body.meta.location).toMatch(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(created.body).not.toHaveProperty('password');

    const read = await scim.get(`/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('smoke@example.com');
    expect(read.headers.etag).toBe('W/"1"');

    const list = await scim.get('/Users?filter=userName eq "SMOKE@example.com"');
    expect(list.body.totalResults).toBe(1);

    expect((await scim.delete(`/Users/${created.body.id}`)).status).toBe(204);
    expect((await scim.get(`/Users/${created.body.id}`)).status).toBe(404);
  });
});
