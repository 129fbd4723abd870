import { randomUUID } from 'node:crypto';
import { isPrivateAddress } from '../../src/events/targets.js';
import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Where webhooks may go (issue 14): http(s) only, and never inside keyscope's network unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS=true, checked when saved and again after DNS at each delivery. The
 * signing secret is kept sealed under SIGNING_KEY_SECRET, recoverable to sign.
 */

describe('without WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { WEBHOOK_RETRY_SCHEDULE: '50' } });
  });
  afterAll(() => app.close());

  test.each([
    ['http://127.0.0.1:9/hooks', /resolves to 127\.0\.0\.1/],
    ['http://localhost:9/hooks', /resolves to (127\.0\.0\.1|::1)/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254.*metadata/],
    ['http://10.1.2.3/', /10\.1\.2\.3/],
    ['http://192.168.1.1/', /192\.168\.1\.1/],
    ['http://[::1]:9/', /::1/],
    ['http://[::ffff:127.0.0.1]/', /ffff/],
    ['http://[fd00::1]/', /fd00::1/],
    ['http://0.0.0.0/', /0\.0\.0\.0/],
    ['ftp://example.com/', /must be an http/],
    ['https://user:pw@example.com/', /user name or password/],
    ['not a url', /not an absolute URL/],
  ])('%s is refused with 400 naming why', async (url, why) => {
    const res = await app.http
      .post('/api/v1/webhooks')
      .set(bearer(app.adminToken))
      .send({ url, events: ['key.created'] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(why) }]);
  });

  test('an address checked fine when saved but inside at delivery time is refused then, and never reached', async () => {
    const receiver = await startWebhookReceiver();
    try {
      // As if its name resolved outside when saved and to 127.0.0.1 now (DNS rebinding).
      const id = randomUUID();
      await app.db.query(
        `INSERT INTO webhooks (id, org_id, url, events, secret, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, '{key.created}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'test', now(), now())`,
        [id, app.orgId, `http://localhost:${receiver.port}/hooks`],
      );
      await createKey(app, { name: 'not to localhost', expiration: '30d' });
      await eventually(async () => {
        const res = await app.http.get(`/api/v1/webhooks/${id}/deliveries`).set(bearer(app.adminToken));
        return res.body.items[0]?.attemptLog.length >= 1;
      }, 5000);
      const res = await app.http.get(`/api/v1/webhooks/${id}/deliveries`).set(bearer(app.adminToken));
      expect(res.body.items[0].attemptLog[0].error).toMatch(/private address \(refused\)/);
      expect(receiver.received).toEqual([]);
      expect(receiver.refused).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });
});

test('the address rules: private, loopback, link-local, CGNAT, metadata and their IPv6 forms are inside', () => {
  for (const inside of [
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    'fe80::1',
    'fc00::1',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '0.0.0.0',
  ])
    expect([inside, isPrivateAddress(inside)]).toEqual([inside, true]);
  for (const outside of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'])
    expect([outside, isPrivateAddress(outside)]).toEqual([outside, false]);
});

test('with SIGNING_KEY_SECRET the signing secret is sealed at rest, and still signs', async () => {
  const app = await startTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', SIGNING_KEY_SECRET: 'a-signing-key-secret-of-32-characters-or-more' },
  });
  const receiver = await startWebhookReceiver();
  try {
    const res = await app.http
      .post('/api/v1/webhooks')
      .set(bearer(app.adminToken))
      .send({ url: receiver.url, events: ['key.created'] });
    expect(res.status).toBe(201);
    receiver.setSecret(res.body.secret);
    const { rows } = await app.db.query<{ secret: string }>('SELECT secret FROM webhooks WHERE id = $1', [
      res.body.webhook.id,
    ]);
    expect(rows[0]!.secret).not.toContain(res.body.secret.slice(6));
    expect(rows[0]!.secret).not.toMatch(/^whsec_/);
    const { id } = await createKey(app, { name: 'sealed', expiration: '30d' });
    await eventually(async () => receiver.received.length === 1, 5000);
    expect(receiver.received[0]!.payload.data).toMatchObject({ key: { id } });
    expect(receiver.refused).toEqual([]);
    expect(app.logs()).not.toContain(res.body.secret.slice(6));
  } finally {
    await app.close();
    await receiver.stop();
  }
});
