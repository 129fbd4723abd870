import { bearer } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Expiry notices (issue 14 item 7): key.expiring once, 7 days before a key expires, naming the key,
 * its owner and the owner's manager (SCIM enterprise extension), and key.expired once; each sent once
 * whichever process scans, and never for a key revoked before it expires.
 */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const DAY = 86_400_000;

let app: TestApp;
let second: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  app = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  // A second process on the same database, scanning with the same clock.
  second = await startTestApp({
    database: app.database,
    db: await app.database.connectAgain(),
    adminToken: app.adminToken,
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
  });
  receiver = await startWebhookReceiver();
  const res = await app.http
    .post('/api/v1/webhooks')
    .set(bearer(app.adminToken))
    .send({ url: receiver.url, events: ['key.expiring', 'key.expired'] });
  receiver.setSecret(res.body.secret);
});

afterAll(async () => {
  await second.close();
  await app.close();
  await receiver.stop();
});

test('key.expiring once, 7 days ahead, with owner and manager; key.expired once; whichever process scans', async () => {
  const scim = await scimClient(app);
  const stamp = Date.now();
  const manager = await scim.post(
    '/Users',
    oktaUser(`boss-${stamp}@example.com`, { emails: [{ value: `boss-${stamp}@example.com`, primary: true }] }),
  );
  expect(manager.status).toBe(201);
  const owner = await scim.post(
    '/Users',
    oktaUser(`dev-${stamp}@example.com`, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      [ENTERPRISE]: { manager: { value: manager.body.id } },
    }),
  );
  expect(owner.status).toBe(201);
  const personal = await createKey(app, {
    name: 'dev laptop',
    kind: 'personal',
    ownerUserId: owner.body.id,
    expiration: '30d',
  });
  const week = await createKey(app, { name: 'a week', expiration: '7d' });
  const revokedEarly = await createKey(app, { name: 'revoked early', expiration: '30d' });
  await app.http.delete(`/api/v1/keys/${revokedEarly.id}`).set(bearer(app.adminToken));

  const ofKey = (id: string) =>
    receiver.received.filter((e) => (e.payload.data.key as { id: string } | undefined)?.id === id).map((e) => e.type);
  // 22 days on: the 7-day key expired (never announced as expiring: it was from its creation); the
  // 30-day key has more than 7 days left.
  app.clock.advance(22 * DAY);
  second.clock.advance(22 * DAY);
  expect(await app.keyscope.expiryScan.runNow()).toBe(1);
  await eventually(async () => ofKey(week.id).length === 1, 5000);
  expect(ofKey(personal.id)).toEqual([]);

  // 23.5 days on: 6.5 days left. Both processes scan, at once and again: one notice.
  app.clock.advance(1.5 * DAY);
  second.clock.advance(1.5 * DAY);
  const counts = await Promise.all([app.keyscope.expiryScan.runNow(), second.keyscope.expiryScan.runNow()]);
  await app.keyscope.expiryScan.runNow();
  await second.keyscope.expiryScan.runNow();
  await eventually(async () => ofKey(personal.id).length === 1, 5000);
  expect(ofKey(personal.id)).toEqual(['key.expiring']);
  expect(ofKey(week.id)).toEqual(['key.expired']);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
  const notice = receiver.received.find((e) => e.type === 'key.expiring')!.payload;
  expect(notice.data).toMatchObject({
    organizationId: app.orgId,
    actor: { id: 'system' },
    key: {
      id: personal.id,
      name: 'dev laptop',
      kind: 'personal',
      expiresAt: personal.key.expiresAt,
      owner: { id: owner.body.id, userName: `dev-${stamp}@example.com`, emails: [`dev-${stamp}@example.com`] },
      manager: { id: manager.body.id, userName: `boss-${stamp}@example.com`, emails: [`boss-${stamp}@example.com`] },
    },
  });

  // Past its expiry: key.expired, once.
  app.clock.advance(7 * DAY);
  second.clock.advance(7 * DAY);
  await Promise.all([app.keyscope.expiryScan.runNow(), second.keyscope.expiryScan.runNow()]);
  await app.keyscope.expiryScan.runNow();
  await eventually(async () => ofKey(personal.id).length === 2, 5000);
  await new Promise((r) => setTimeout(r, 200));
  expect(ofKey(personal.id)).toEqual(['key.expiring', 'key.expired']);
  expect(ofKey(week.id)).toEqual(['key.expired']);
  expect(ofKey(revokedEarly.id)).toEqual([]);
  expect(receiver.refused).toEqual([]);
  // And the audit log tells the same, by keyscope itself.
  const audit = await app.http.get(`/api/v1/audit?target=key:${personal.id}`).set(bearer(app.adminToken));
  expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
    'key.expired',
    'key.expiring',
    'key.create',
  ]);
});
