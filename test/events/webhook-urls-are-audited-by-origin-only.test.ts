import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * docs/security.md §13: only org:admin reads an organization's webhooks. The audit log is read with
 * audit:read alone, so a webhook's URL is audited by its origin: its path and query (where many
 * receivers keep a credential) stay with the admins.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ background: false, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
});
afterAll(() => app.close());

test('a key with audit:read but not org:admin never reads a webhook URL’s path or query through the audit log', async () => {
  const admin = bearer(app.adminToken);
  const created = await app.http
    .post('/api/v1/webhooks')
    .set(admin)
    .send({ url: 'http://127.0.0.1:9/services/T0/B0/CREATEPATH?token=createquery', events: ['key.created'] });
  expect(created.status).toBe(201);
  const id = created.body.webhook.id;
  const patched = await app.http
    .patch(`/api/v1/webhooks/${id}`)
    .set(admin)
    .send({ url: 'http://127.0.0.1:9/services/T1/B1/UPDATEPATH?token=updatequery' });
  expect(patched.status).toBe(200);
  expect((await app.http.delete(`/api/v1/webhooks/${id}`).set(admin)).status).toBe(204);

  const group = await app.http.post('/api/v1/groups').set(admin).send({ displayName: 'Auditors' });
  await app.http
    .put(`/api/v1/groups/${group.body.id}/rules`)
    .set(admin)
    .send({ rules: [{ permission: 'audit:read' }] });
  const { token } = await createKey(app, { name: 'auditor', expiration: '30d', groupId: group.body.id });
  expect((await app.http.get('/api/v1/webhooks').set(bearer(token))).status).toBe(403);
  const audit = await app.http.get('/api/v1/audit?action=webhook.*').set(bearer(token));
  expect(audit.status).toBe(200);
  const entries = audit.body.items as { action: string; details: { url: string } }[];
  expect(entries.map((e) => [e.action, e.details.url]).sort()).toEqual([
    ['webhook.create', 'http://127.0.0.1:9'],
    ['webhook.delete', 'http://127.0.0.1:9'],
    ['webhook.update', 'http://127.0.0.1:9'],
  ]);
  expect(JSON.stringify(audit.body)).not.toMatch(/CREATEPATH|createquery|UPDATEPATH|updatequery/);
});
