import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /api/v1/keys/:id names the key that replaces a rotated key, so nobody mistakes it for a live one. */

let app: TestApp;
const admin = () => bearer(app.adminToken);

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

it('answers replacedBy null until the key is rotated, then the new key and when the old one stops', async () => {
  const { id } = await createKey(app, { name: 'deploy bot', expiration: '90d' });
  const before = await app.http.get(`/api/v1/keys/${id}`).set(admin());
  expect({ status: before.status, replacedBy: before.body.replacedBy, revokedAt: before.body.revokedAt }).toEqual({
    status: 200,
    replacedBy: null,
    revokedAt: null,
  });

  const rotated = await app.http.post(`/api/v1/keys/${id}/rotate`).set(admin()).send({ gracePeriodSeconds: 3600 });
  expect(rotated.status).toBe(201);
  const after = await app.http.get(`/api/v1/keys/${id}`).set(admin());
  expect(after.body).toMatchObject({
    replacedBy: { id: rotated.body.key.id, name: 'deploy bot' },
    status: 'expiring_soon',
    revokedAt: expect.any(String),
  });
  expect(Date.parse(after.body.revokedAt)).toBeGreaterThan(Date.now() + 3500_000);

  const successor = await app.http.get(`/api/v1/keys/${rotated.body.key.id}`).set(admin());
  expect(successor.body).toMatchObject({ rotatedFrom: id, replacedBy: null });
});
