import { jti, putSignals, startTestIdp, type TestIdp } from '../support/signals.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Signals in, events out, end to end: a Universal Logout that suspends a person's key reaches a
 * webhook as signal.received and key.suspended (with the reason and the owner), and the admin's
 * restore as key.restored, each verified by the receiver's Standard Webhooks check.
 */
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let idp: TestIdp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '50,100,150' },
  });
  idp = await startTestIdp('https://acme.okta.test');
  receiver = await startWebhookReceiver();
  expect((await putSignals(app, { universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri } })).status).toBe(200);
  const hook = await app.http
    .post('/api/v1/webhooks')
    .set('Authorization', `Bearer ${app.adminToken}`)
    .send({ url: receiver.url, events: ['signal.received', 'key.suspended', 'key.restored'] });
  expect(hook.status).toBe(201);
  receiver.setSecret(hook.body.secret);
});
afterAll(async () => {
  await receiver.stop();
  await idp.close();
  await app.close();
});

it('a Universal Logout and an admin restore arrive as signed events', async () => {
  const scim = await scimClient(app);
  const email = 'una@example.com';
  const userId = (await scim.post('/Users', oktaUser(email))).body.id as string;
  const key = await createKey(app, { name: 'una', kind: 'personal', ownerUserId: userId });
  const now = Math.floor(Date.now() / 1000);
  const token = await idp.sign(
    { iss: idp.issuer, aud: `${PUBLIC_URL}/api/v1/global-token-revocation`, jti: jti(), iat: now, exp: now + 300 },
    { typ: 'JWT' },
  );
  const logout = await app.http
    .post('/api/v1/global-token-revocation')
    .set('Authorization', `Bearer ${token}`)
    .send({ sub_id: { format: 'email', email } });
  expect(logout.status).toBe(204);
  expect(
    (await app.http.post(`/api/v1/keys/${key.id}/restore`).set('Authorization', `Bearer ${app.adminToken}`)).status,
  ).toBe(200);

  await eventually(async () => receiver.received.length >= 3, 10_000);
  expect(receiver.refused).toEqual([]);
  const byType = new Map(receiver.received.map((e) => [e.type, e.payload.data]));
  expect([...byType.keys()].sort()).toEqual(['key.restored', 'key.suspended', 'signal.received']);
  expect(JSON.stringify(byType.get('key.suspended'))).toContain(key.id);
  expect(JSON.stringify(byType.get('key.suspended'))).toContain('idp_logout');
  expect(JSON.stringify(byType.get('key.suspended'))).toContain(userId);
  expect(JSON.stringify(byType.get('key.restored'))).toContain(key.id);
  expect(JSON.stringify(byType.get('signal.received'))).toContain('universal_logout');
  // In order for the key: suspended before restored.
  const ofKey = receiver.received.filter((e) => e.type.startsWith('key.')).map((e) => e.type);
  expect(ofKey).toEqual(['key.suspended', 'key.restored']);
  for (const e of receiver.received) expect(e.body).not.toContain('eyJ');
});
