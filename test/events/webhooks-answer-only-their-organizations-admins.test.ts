import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { bearer, createOrganization } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * docs/security.md §13: only org:admin lists, reads, changes, redelivers or deletes an organization's
 * webhooks and sees their deliveries; another organization's webhooks (and deliveries) answer 404,
 * exactly as ids that do not exist.
 */

const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let provider: TestProvider;
let receiver: WebhookReceiver;
let hookId: string;
let deliveryId: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  receiver = await startWebhookReceiver();
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  const created = await app.http
    .post('/api/v1/webhooks')
    .set(bearer(app.adminToken))
    .send({ url: receiver.url, events: ['key.created'] });
  hookId = created.body.webhook.id;
  receiver.setSecret(created.body.secret);
  await createKey(app, { name: 'announced', expiration: '30d' });
  await eventually(async () => receiver.received.length === 1, 5000);
  const deliveries = await app.http.get(`/api/v1/webhooks/${hookId}/deliveries`).set(bearer(app.adminToken));
  deliveryId = deliveries.body.items[0].id;
});
afterAll(async () => {
  await provider.close();
  await receiver.stop();
  await app.close();
});

type Caller = (
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
) => Promise<{ status: number; body: Record<string, unknown> }>;

const withToken =
  (token: string): Caller =>
  async (method, path, body) => {
    const req = app.http[method](`/api/v1${path}`).set(bearer(token));
    return body === undefined ? req : req.send(body);
  };

/** Every webhook route, with what it would change. */
const routes = () =>
  [
    ['get', '/webhooks'],
    ['post', '/webhooks', { url: receiver.url, events: ['key.created'] }],
    ['get', `/webhooks/${hookId}`],
    ['patch', `/webhooks/${hookId}`, { enabled: false }],
    ['get', `/webhooks/${hookId}/deliveries`],
    ['post', `/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`, {}],
    ['delete', `/webhooks/${hookId}`],
  ] as const;

async function expectUntouched(): Promise<void> {
  const res = await app.http.get(`/api/v1/webhooks/${hookId}`).set(bearer(app.adminToken));
  expect(res.status).toBe(200);
  expect(res.body.enabled).toBe(true);
  const list = await app.http.get('/api/v1/webhooks').set(bearer(app.adminToken));
  expect(list.body.items).toHaveLength(1);
  const deliveries = await app.http.get(`/api/v1/webhooks/${hookId}/deliveries`).set(bearer(app.adminToken));
  expect(deliveries.body.items[0].status).toBe('delivered');
}

test.each([
  [
    'a key holding every other permission',
    { permissions: ['keys:read', 'keys:manage', 'groups:write', 'audit:read', 'users:read'] },
  ],
  ['a read-only key (*:read)', { permissions: ['*:read'] }],
  ['a key with the SCIM flag', { scim: true }],
])('%s gets 403 on every webhook route and changes nothing', async (_name, body) => {
  const { token } = await createKey(app, { name: `not admin ${Math.random()}`, expiration: '30d', ...body });
  const call = withToken(token);
  for (const [method, path, payload] of routes()) {
    const res = await call(method, path, payload);
    expect([method, path, res.status]).toEqual([method, path, 403]);
    expect(JSON.stringify(res.body)).not.toContain('whsec_');
  }
  await expectUntouched();
});

test('another organization’s admin gets 404 for this organization’s webhook and delivery ids, as for ids that never existed', async () => {
  const other = await createOrganization(app);
  const call = withToken(other.token);
  expect((await call('get', '/webhooks')).body).toEqual({ items: [] });
  const missing = '00000000-0000-4000-8000-000000000000';
  for (const [method, path, payload] of routes().slice(2)) {
    const res = await call(method, path, payload);
    expect([method, path, res.status]).toEqual([method, path, 404]);
    const never = await call(method, path.replace(hookId, missing), payload);
    expect(never.status).toBe(404);
    expect(String(res.body.detail ?? res.body.message ?? '')).toBe(
      String(never.body.detail ?? never.body.message ?? '').replace(missing, hookId),
    );
  }
  // Its own webhook cannot redeliver this organization's delivery either.
  const own = await call('post', '/webhooks', { url: receiver.url, events: ['key.created'] });
  expect(own.status).toBe(201);
  const id = (own.body.webhook as { id: string }).id;
  expect((await call('post', `/webhooks/${id}/deliveries/${deliveryId}/redeliver`, {})).status).toBe(404);
  expect((await call('get', `/webhooks/${id}/deliveries`)).body.items).toEqual([]);
  await expectUntouched();
});

test('a signed-in person without org:admin gets 403 on every webhook route', async () => {
  const scim = await scimClient(app);
  expect((await scim.post('/Users', oktaUser('ada@example.com'))).status).toBe(201);
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
  const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
  const csrf = await browser.csrf();
  for (const [method, path, payload] of routes()) {
    const res = await browser.send(method, `/api/v1${path}`, payload, method === 'get' ? {} : { 'X-CSRF-Token': csrf });
    expect([method, path, res.status]).toEqual([method, path, 403]);
  }
  await expectUntouched();
});
