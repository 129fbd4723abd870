import { recordAudit } from '../../src/audit/audit-service.js';
import { SYSTEM_ACTOR } from '../../src/principals/actor.js';
import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * docs/security.md §13, tried as an attacker holding a receiver: no event of any type carries a key
 * token, a key's secret hash, a session's, the sign-in client secret or the webhook's own secret; the
 * whsec_ secret is shown once and never again (reads, deliveries, audit, logs, the OpenAPI document).
 */

const PUBLIC_URL = 'http://keyscope.test';
const DAY = 86_400_000;
let app: TestApp;
let provider: TestProvider;
let receiver: WebhookReceiver;
let webhookId: string;
let whsec: string;
const admin = () => bearer(app.adminToken);

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  receiver = await startWebhookReceiver();
  const created = await app.http
    .post('/api/v1/webhooks')
    .set(admin())
    .send({
      url: receiver.url,
      events: [
        'key.created',
        'key.rotated',
        'key.revoked',
        'key.expiring',
        'key.expired',
        'user.provisioned',
        'user.deactivated',
        'user.deleted',
        'group.rules_changed',
        'group.deleted',
        'signal.received',
      ],
    });
  expect(created.status).toBe(201);
  expect(created.headers['cache-control']).toBe('no-store');
  webhookId = created.body.webhook.id;
  whsec = created.body.secret;
  receiver.setSecret(whsec);
});
afterAll(async () => {
  await provider.close();
  await receiver.stop();
  await app.close();
});

test('no event of any type carries a token, a hash, a client secret or a whsec_ secret', async () => {
  const tokens: string[] = [];
  const scim = await scimClient(app);
  tokens.push(scim.token);
  const ada = await scim.post('/Users', oktaUser('ada@example.com'));
  const group = await scim.post('/Groups', { displayName: `Team ${Date.now()}`, members: [{ value: ada.body.id }] });
  expect(
    (
      await app.http
        .put(`/api/v1/groups/${group.body.id}/rules`)
        .set(admin())
        .send({ rules: [{ permission: 'keys:read' }] })
    ).status,
  ).toBe(200);
  // A signed-in person's own key: a session exists, its secret must not travel either.
  provider.accounts.set('okta-ada', { preferred_username: 'ada@example.com' });
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
  const { browser } = await signInThrough(app.keyscope.app, provider, 'okta-ada');
  const csrf = await browser.csrf();
  const personal = await browser.send('post', '/api/v1/keys', { name: 'laptop' }, { 'X-CSRF-Token': csrf });
  expect(personal.status).toBe(201);
  tokens.push(personal.body.token);
  // Read now: the session ends when Ada is deactivated below.
  const { rows: sessionHashes } = await app.db.query<{ secret_hash: string }>('SELECT secret_hash FROM sessions');

  const expiring = await createKey(app, { name: 'expiring', expiration: '30d' });
  tokens.push(expiring.token);
  const rotating = await createKey(app, { name: 'rotating', expiration: '30d' });
  tokens.push(rotating.token);
  const rotated = await app.http
    .post(`/api/v1/keys/${rotating.id}/rotate`)
    .set(admin())
    .send({ gracePeriodSeconds: 0 });
  expect(rotated.status).toBe(201);
  tokens.push(rotated.body.token);
  expect((await app.http.delete(`/api/v1/keys/${rotated.body.key.id}`).set(admin())).status).toBe(200);
  const inGroup = await createKey(app, { name: 'in group', expiration: '30d', groupId: group.body.id });
  tokens.push(inGroup.token);
  expect((await app.http.post('/api/v1/keys/revoke').set(admin()).send({ groupId: group.body.id })).status).toBe(200);
  // Nested in a signal's audit details, secret-named fields are dropped as at the top.
  await app.db.transaction((tx) =>
    recordAudit(tx, {
      orgId: app.orgId,
      actor: SYSTEM_ACTOR,
      action: 'signal.received',
      target: `org:${app.orgId}`,
      details: {
        jti: 'nested-jti',
        event: { subject: { format: 'email', email: 'ada@example.com' }, rawJwt: 'eyJhbGciOiJSUzI1NiJ9.nested' },
        issuer: { clientSecret: 'nested-s3cret', tokens: [{ accessToken: 'nested-t0ken' }] },
      },
    }),
  );
  await scim.patch(`/Users/${ada.body.id}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  expect((await scim.delete(`/Users/${ada.body.id}`)).status).toBe(204);
  expect((await scim.delete(`/Groups/${group.body.id}`)).status).toBe(204);
  app.clock.advance(24 * DAY);
  await app.keyscope.expiryScan.runNow();
  app.clock.advance(7 * DAY);
  await app.keyscope.expiryScan.runNow();

  const { rows: keyHashes } = await app.db.query<{ secret_hash: string }>('SELECT secret_hash FROM api_keys');
  const { rows: sso } = await app.db.query<{ client_secret: string }>('SELECT client_secret FROM sso_settings');
  const { rows: hooks } = await app.db.query<{ secret: string }>('SELECT secret FROM webhooks');
  const secrets = [
    ...tokens,
    ...tokens.map((t) => t.slice(-16)),
    ...keyHashes.map((r) => r.secret_hash),
    ...sessionHashes.map((r) => r.secret_hash),
    ...sso.map((r) => r.client_secret),
    provider.clientSecret,
    ...hooks.map((r) => r.secret),
    whsec,
    whsec.slice(6),
    ...(browser.jar.header() ?? '').split(/[;=]\s*/).filter((v) => v.length >= 20),
    'nested.rawJwt',
    'eyJhbGciOiJSUzI1NiJ9.nested',
    'nested-s3cret',
    'nested-t0ken',
  ].filter((s) => s.length >= 8);
  expect(sessionHashes.length).toBeGreaterThan(0);

  const types = [
    'key.created',
    'key.rotated',
    'key.revoked',
    'key.expiring',
    'key.expired',
    'user.provisioned',
    'user.deactivated',
    'user.deleted',
    'group.rules_changed',
    'group.deleted',
    'signal.received',
  ];
  await eventually(async () => types.every((t) => receiver.received.some((e) => e.type === t)), 10_000);
  for (const event of receiver.received)
    for (const secret of secrets) expect([event.type, event.body.includes(secret)]).toEqual([event.type, false]);
  const signal = receiver.received.find((e) => e.type === 'signal.received')!;
  expect(signal.payload.data).toMatchObject({
    subject: { jti: 'nested-jti', event: { subject: { email: 'ada@example.com' } }, issuer: {} },
  });
  expect((signal.payload.data.subject as { issuer: object }).issuer).toEqual({});
});

test('the whsec_ secret is never shown again: not by reads, deliveries, audit, logs or the OpenAPI document', async () => {
  const places = [
    await app.http.get('/api/v1/webhooks').set(admin()),
    await app.http.get(`/api/v1/webhooks/${webhookId}`).set(admin()),
    await app.http.patch(`/api/v1/webhooks/${webhookId}`).set(admin()).send({ description: 'changed' }),
    await app.http.get(`/api/v1/webhooks/${webhookId}/deliveries?limit=200`).set(admin()),
    await app.http.get('/api/v1/audit?limit=200').set(admin()),
    await app.http.get('/api/v1/openapi.json'),
  ];
  for (const res of places) {
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(whsec.slice(6));
  }
  expect(places[1]!.body).not.toHaveProperty('secret');
  expect(app.logs()).not.toContain(whsec.slice(6));
  const openapi = places[5]!.text;
  expect(openapi).not.toMatch(/whsec_[A-Za-z0-9+/]{40}/);
});
