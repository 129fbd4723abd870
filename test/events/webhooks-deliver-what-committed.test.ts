import { recordAudit } from '../../src/audit/audit-service.js';
import { SYSTEM_ACTOR } from '../../src/principals/actor.js';
import { bearer, createOrganization } from '../support/orgs.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Events out (issue 14, DESIGN §11): every change's events are written with it (an outbox in the same
 * transaction), delivered at least once to a receiver that verifies every Standard Webhooks signature,
 * in order per subject, retried after failures, and nothing is sent for what rolled back.
 */

let app: TestApp;
let receiver: WebhookReceiver;
let webhookId: string;
const admin = () => bearer(app.adminToken);

const ALL = [
  'key.created',
  'key.rotated',
  'key.revoked',
  'key.suspended',
  'key.restored',
  'user.provisioned',
  'user.deactivated',
  'user.deleted',
  'group.rules_changed',
  'group.deleted',
  'signal.received',
];

beforeAll(async () => {
  app = await startTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '50,100,150', WEBHOOK_TIMEOUT_MS: '2000' },
  });
  receiver = await startWebhookReceiver();
  const res = await app.http
    .post('/api/v1/webhooks')
    .set(admin())
    .send({ url: receiver.url, description: 'pipeline', events: ALL });
  expect(res.status).toBe(201);
  receiver.setSecret(res.body.secret);
  webhookId = res.body.webhook.id;
});

afterAll(async () => {
  await app.close();
  await receiver.stop();
});

beforeEach(() => {
  receiver.answer = () => 200;
});

afterEach(() => {
  // Every request keyscope sent carried a signature the receiver could verify.
  expect(receiver.refused).toEqual([]);
});

const receivedFor = (subjectId: string) =>
  receiver.received.filter((e) => JSON.stringify(e.payload.data).includes(subjectId));

async function deliveries(id = webhookId) {
  const res = await app.http.get(`/api/v1/webhooks/${id}/deliveries?limit=200`).set(admin());
  expect(res.status).toBe(200);
  return res.body.items as {
    id: string;
    eventId: string;
    type: string;
    subject: string;
    status: string;
    attempts: number;
    attemptLog: { statusCode: number | null; responseExcerpt: string | null; error: string | null }[];
  }[];
}

test('the signing secret is a Standard Webhooks secret, shown once and never again', async () => {
  const res = await app.http
    .post('/api/v1/webhooks')
    .set(admin())
    .send({ url: receiver.url, events: ['key.created'], enabled: false });
  expect(res.status).toBe(201);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const read = await app.http.get(`/api/v1/webhooks/${res.body.webhook.id}`).set(admin());
  expect(read.status).toBe(200);
  expect(JSON.stringify(read.body)).not.toContain(res.body.secret.slice(6));
  const list = await app.http.get('/api/v1/webhooks').set(admin());
  expect(JSON.stringify(list.body)).not.toContain(res.body.secret.slice(6));
  // Not stored as given: sealed at rest when SIGNING_KEY_SECRET is set (test/events/webhook-secret-sealed).
  expect(read.body).toMatchObject({ url: receiver.url, events: ['key.created'], enabled: false, description: '' });
  await app.http.delete(`/api/v1/webhooks/${res.body.webhook.id}`).set(admin()).expect(204);
});

test('a key created, rotated and revoked reaches the receiver as signed events, in order, as committed', async () => {
  const { id } = await createKey(app, { name: 'pipeline key', expiration: '90d' });
  const rotated = await app.http.post(`/api/v1/keys/${id}/rotate`).set(admin()).send({ gracePeriodSeconds: 0 });
  expect(rotated.status).toBe(201);
  const newId = rotated.body.key.id as string;
  expect((await app.http.delete(`/api/v1/keys/${newId}`).set(admin())).status).toBe(200);

  // The new key is told by key.rotated (newKeyId), not by a key.created of its own.
  await eventually(async () => receivedFor(newId).length >= 2, 5000);
  const events = receivedFor(id).filter((e) => JSON.stringify(e.payload.data.key).includes(id));
  expect(events.map((e) => e.type)).toEqual(['key.created', 'key.rotated']);
  const created = events[0]!.payload;
  expect(created.data).toMatchObject({
    organizationId: app.orgId,
    key: { id, name: 'pipeline key', kind: 'service' },
    actor: { id: expect.stringMatching(/^key:/) },
  });
  expect(Date.parse(created.timestamp)).not.toBeNaN();
  expect(events[1]!.payload.data).toMatchObject({ key: { id, newKeyId: newId } });
  const ofNew = receivedFor(newId).filter((e) => (e.payload.data.key as { id: string }).id === newId);
  expect(ofNew.map((e) => e.type)).toEqual(['key.revoked']);
  // No secret in any payload: no token, no hash.
  for (const e of receiver.received) expect(e.body).not.toMatch(/ksk_|\$2[aby]\$/);
  // One webhook-id per event, each unique.
  const ids = receiver.received.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((x) => /^msg_[0-9a-f]{32}$/.test(x))).toBe(true);
});

test('a change that rolls back emits nothing', async () => {
  const before = receiver.received.length;
  const marker = `rolled-back-${Date.now()}`;
  await expect(
    app.db.transaction(async (tx) => {
      await recordAudit(tx, {
        orgId: app.orgId,
        actor: SYSTEM_ACTOR,
        action: 'key.suspend',
        target: `key:${marker}`,
        details: { reason: 'idp_signal', ownerUserId: null },
      });
      throw new Error('the change failed');
    }),
  ).rejects.toThrow('the change failed');
  const { rows } = await app.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE subject = $1`, [
    `key:${marker}`,
  ]);
  expect(rows[0]).toEqual({ n: 0 });
  // A later event goes through, and the rolled-back one never arrived.
  const { id } = await createKey(app, { name: 'after rollback', expiration: '30d' });
  await eventually(async () => receivedFor(id).length === 1, 5000);
  expect(receiver.received.slice(before).some((e) => e.body.includes(marker))).toBe(false);
});

test('key.suspended and key.restored, as the signals receiver records them, become events', async () => {
  const { id } = await createKey(app, { name: 'to suspend', expiration: '30d' });
  const ownerUserId = '00000000-0000-4000-8000-000000000001';
  await app.db.transaction(async (tx) => {
    await recordAudit(tx, {
      orgId: app.orgId,
      actor: SYSTEM_ACTOR,
      action: 'key.suspend',
      target: `key:${id}`,
      details: { reason: 'idp_signal', ownerUserId },
    });
  });
  await app.db.transaction(async (tx) => {
    await recordAudit(tx, {
      orgId: app.orgId,
      actor: SYSTEM_ACTOR,
      action: 'key.restore',
      target: `key:${id}`,
      details: { ownerUserId },
    });
  });
  await eventually(async () => receivedFor(id).length === 3, 5000);
  const events = receivedFor(id);
  expect(events.map((e) => e.type)).toEqual(['key.created', 'key.suspended', 'key.restored']);
  expect(events[1]!.payload.data).toMatchObject({
    organizationId: app.orgId,
    key: { id, reason: 'idp_signal', ownerUserId },
    actor: { id: 'system' },
  });
});

test('signal.received carries what the audit entry names, never a field that holds a secret', async () => {
  const jti = `jti-${Date.now()}`;
  await app.db.transaction(async (tx) => {
    await recordAudit(tx, {
      orgId: app.orgId,
      actor: SYSTEM_ACTOR,
      action: 'signal.received',
      target: `org:${app.orgId}`,
      details: { jti, outcome: 'accepted', rawJwt: 'eyJhbGciOi.secret', clientSecret: 's3cret', accessToken: 't0ken' },
    });
  });
  await eventually(async () => receivedFor(jti).length === 1, 5000);
  const event = receivedFor(jti)[0]!;
  expect(event.type).toBe('signal.received');
  expect(event.payload.data).toMatchObject({ subject: { id: app.orgId, jti, outcome: 'accepted' } });
  expect(event.body).not.toMatch(/eyJhbGciOi|s3cret|t0ken/);
});

test('people and groups: provisioned, deactivated, deleted; rules changed; group deleted', async () => {
  const scim = await scimClient(app);
  const user = await scim.post('/Users', oktaUser(`events-${Date.now()}@example.com`));
  expect(user.status).toBe(201);
  const userId = user.body.id as string;
  await scim.patch(`/Users/${userId}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', value: { active: false } }],
  });
  expect((await scim.delete(`/Users/${userId}`)).status).toBe(204);

  const group = await app.http
    .post('/api/v1/groups')
    .set(admin())
    .send({ displayName: `events ${Date.now()}` });
  expect(group.status).toBe(201);
  const groupId = group.body.id as string;
  const rules = await app.http
    .put(`/api/v1/groups/${groupId}/rules`)
    .set(admin())
    .send({ rules: [{ permission: 'keys:read' }] });
  expect(rules.status).toBe(200);
  expect((await app.http.delete(`/api/v1/groups/${groupId}`).set(admin())).status).toBeLessThan(300);

  await eventually(async () => receivedFor(userId).length === 3 && receivedFor(groupId).length === 2, 5000);
  expect(receivedFor(userId).map((e) => e.type)).toEqual(['user.provisioned', 'user.deactivated', 'user.deleted']);
  expect(receivedFor(userId)[0]!.payload.data).toMatchObject({ user: { id: userId, userName: expect.any(String) } });
  expect(receivedFor(groupId).map((e) => e.type)).toEqual(['group.rules_changed', 'group.deleted']);
  expect(receivedFor(groupId)[0]!.payload.data).toMatchObject({
    group: { id: groupId, rules: [{ permission: 'keys:read' }] },
  });
});

test("revoking a user's keys in one call sends key.revoked for each key", async () => {
  const scim = await scimClient(app);
  const user = await scim.post('/Users', oktaUser(`bulk-${Date.now()}@example.com`));
  const owner = user.body.id as string;
  const a = await createKey(app, { name: 'a', kind: 'personal', ownerUserId: owner, expiration: '30d' });
  const b = await createKey(app, { name: 'b', kind: 'personal', ownerUserId: owner, expiration: '30d' });
  const res = await app.http.post('/api/v1/keys/revoke').set(admin()).send({ ownerUserId: owner });
  expect(res.status).toBe(200);
  for (const k of [a, b]) {
    await eventually(async () => receivedFor(k.id).some((e) => e.type === 'key.revoked'), 5000);
    const revoked = receivedFor(k.id).find((e) => e.type === 'key.revoked')!;
    expect(revoked.payload.data).toMatchObject({ key: { id: k.id }, revokedWith: `user:${owner}` });
  }
});

test('a receiver failing (500, then 200) is retried with the same webhook-id; the attempts are listed', async () => {
  receiver.answer = (e, attempt) => (e.type === 'key.created' && attempt <= 2 ? 500 : 200);
  const { id } = await createKey(app, { name: 'retried', expiration: '30d' });
  await eventually(async () => receivedFor(id).length === 3, 5000);
  const seen = receivedFor(id);
  expect(new Set(seen.map((e) => e.id)).size).toBe(1);
  await eventually(
    async () => (await deliveries()).some((d) => d.subject === `key:${id}` && d.status === 'delivered'),
    3000,
  );
  const delivery = (await deliveries()).find((d) => d.subject === `key:${id}`)!;
  expect(delivery).toMatchObject({ type: 'key.created', status: 'delivered', attempts: 3, eventId: seen[0]!.id });
  expect(delivery.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 200]);
  expect(delivery.attemptLog[0]).toMatchObject({ responseExcerpt: 'refused 500', error: 'the receiver answered 500' });
});

test('event N+1 about a key never reaches a webhook before event N succeeded', async () => {
  let failFirst = 3;
  receiver.answer = (e) => (e.type === 'key.created' && failFirst-- > 0 ? 503 : 200);
  const { id } = await createKey(app, { name: 'ordered', expiration: '30d' });
  // Revoked while its key.created is still failing: key.revoked waits for it.
  expect((await app.http.delete(`/api/v1/keys/${id}`).set(admin())).status).toBe(200);
  await eventually(async () => receivedFor(id).some((e) => e.type === 'key.revoked'), 5000);
  const types = receivedFor(id).map((e) => e.type);
  expect(types).toEqual(['key.created', 'key.created', 'key.created', 'key.created', 'key.revoked']);
});

test('a receiver that is down gets every event once it is back', async () => {
  await receiver.stop();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await createKey(app, { name: `while down ${i}`, expiration: '30d' })).id);
  // Attempts fail while it is down (connection refused) and are recorded.
  await eventually(
    async () => (await deliveries()).some((d) => d.subject === `key:${ids[0]}` && d.attemptLog.some((a) => a.error)),
    5000,
  );
  await receiver.start();
  await eventually(async () => ids.every((id) => receivedFor(id).length === 1), 10_000);
  const first = (await deliveries()).find((d) => d.subject === `key:${ids[0]}`)!;
  expect(first.attemptLog[0]!.error).toMatch(/ECONNREFUSED|connect/);
  expect(first.status).toBe('delivered');
});

test('a delivery is redelivered on request, with the same webhook-id', async () => {
  const { id } = await createKey(app, { name: 'redeliver me', expiration: '30d' });
  await eventually(async () => receivedFor(id).length === 1, 5000);
  const delivery = (await deliveries()).find((d) => d.subject === `key:${id}`)!;
  const res = await app.http.post(`/api/v1/webhooks/${webhookId}/deliveries/${delivery.id}/redeliver`).set(admin());
  expect(res.status).toBe(202);
  await eventually(async () => receivedFor(id).length === 2, 5000);
  expect(receivedFor(id)[1]!.id).toBe(receivedFor(id)[0]!.id);
  expect(
    (await app.http.post(`/api/v1/webhooks/${webhookId}/deliveries/999999999/redeliver`).set(admin())).status,
  ).toBe(404);
});

test('a disabled webhook keeps its pending deliveries, and sends them once enabled again', async () => {
  receiver.answer = () => 500;
  const { id } = await createKey(app, { name: 'paused', expiration: '30d' });
  await eventually(async () => receivedFor(id).length >= 1, 5000);
  expect((await app.http.patch(`/api/v1/webhooks/${webhookId}`).set(admin()).send({ enabled: false })).status).toBe(
    200,
  );
  receiver.answer = () => 200;
  await new Promise((r) => setTimeout(r, 600));
  const whileDisabled = receivedFor(id).length;
  await new Promise((r) => setTimeout(r, 400));
  expect(receivedFor(id).length).toBe(whileDisabled);
  expect((await deliveries()).find((d) => d.subject === `key:${id}`)!.status).toBe('pending');
  expect((await app.http.patch(`/api/v1/webhooks/${webhookId}`).set(admin()).send({ enabled: true })).status).toBe(200);
  await eventually(
    async () => (await deliveries()).find((d) => d.subject === `key:${id}`)!.status === 'delivered',
    5000,
  );
});

test('a delivery still failing after the retry period is marked failed', async () => {
  const short = await startTestApp({
    env: {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '50',
      WEBHOOK_GIVE_UP_AFTER_SECONDS: '1',
      WEBHOOK_RETRY_MAX_DELAY_SECONDS: '1',
    },
  });
  const down = await startWebhookReceiver();
  try {
    const hook = await short.http
      .post('/api/v1/webhooks')
      .set(bearer(short.adminToken))
      .send({ url: down.url, events: ['key.created'] });
    down.setSecret(hook.body.secret);
    down.answer = () => 500;
    await createKey(short, { name: 'never delivered', expiration: '30d' });
    await eventually(async () => {
      const res = await short.http
        .get(`/api/v1/webhooks/${hook.body.webhook.id}/deliveries`)
        .set(bearer(short.adminToken));
      return res.body.items[0]?.status === 'failed';
    }, 8000);
    const res = await short.http
      .get(`/api/v1/webhooks/${hook.body.webhook.id}/deliveries?status=failed`)
      .set(bearer(short.adminToken));
    expect(res.body.items[0].nextAttemptAt).toBeNull();
    expect(res.body.items[0].attempts).toBeGreaterThan(1);
  } finally {
    await short.close();
    await down.stop();
  }
});

describe('the webhooks API', () => {
  test('unknown event names are refused with 400 naming them', async () => {
    const res = await app.http
      .post('/api/v1/webhooks')
      .set(admin())
      .send({ url: receiver.url, events: ['key.created', 'key.exploded', 'user.moved'] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('"key.exploded", "user.moved"');
    const patch = await app.http
      .patch(`/api/v1/webhooks/${webhookId}`)
      .set(admin())
      .send({ events: ['nope'] });
    expect(patch.status).toBe(400);
    expect(patch.body.detail).toContain('"nope"');
  });

  test('bad bodies and ids get 400 and 404, never 500', async () => {
    expect(
      (
        await app.http
          .post('/api/v1/webhooks')
          .set(admin())
          .send({ url: 'not a url', events: ['key.created'] })
      ).status,
    ).toBe(400);
    expect((await app.http.post('/api/v1/webhooks').set(admin()).send({ url: receiver.url, events: [] })).status).toBe(
      400,
    );
    expect((await app.http.post('/api/v1/webhooks').set(admin()).send({ url: receiver.url })).status).toBe(400);
    expect((await app.http.get('/api/v1/webhooks/not-a-uuid').set(admin())).status).toBe(404);
    expect((await app.http.get('/api/v1/webhooks/00000000-0000-4000-8000-000000000000').set(admin())).status).toBe(404);
    expect((await app.http.get(`/api/v1/webhooks/${webhookId}/deliveries?limit=0`).set(admin())).status).toBe(400);
    expect((await app.http.post(`/api/v1/webhooks/${webhookId}/deliveries/x/redeliver`).set(admin())).status).toBe(404);
  });

  test('edits: events, description, enabled; a disabled webhook gets nothing', async () => {
    const created = await app.http
      .post('/api/v1/webhooks')
      .set(admin())
      .send({ url: receiver.url, events: ['key.created'] });
    const id = created.body.webhook.id as string;
    const patched = await app.http
      .patch(`/api/v1/webhooks/${id}`)
      .set(admin())
      .send({ events: ['key.revoked', 'key.expiring'], description: 'edited', enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      events: ['key.revoked', 'key.expiring'],
      description: 'edited',
      enabled: false,
    });
    const { id: keyId } = await createKey(app, { name: 'not for the disabled one', expiration: '30d' });
    await app.http.delete(`/api/v1/keys/${keyId}`).set(admin());
    const res = await app.http.get(`/api/v1/webhooks/${id}/deliveries`).set(admin());
    expect(res.body.items).toEqual([]);
    expect((await app.http.delete(`/api/v1/webhooks/${id}`).set(admin())).status).toBe(204);
    expect((await app.http.get(`/api/v1/webhooks/${id}`).set(admin())).status).toBe(404);
  });

  test('webhooks need org:admin; another organization sees none of them', async () => {
    const reader = await createKey(app, { name: 'reader', expiration: '30d', permissions: ['keys:read'] });
    expect((await app.http.get('/api/v1/webhooks').set(bearer(reader.token))).status).toBe(403);
    expect(
      (
        await app.http
          .post('/api/v1/webhooks')
          .set(bearer(reader.token))
          .send({ url: receiver.url, events: ['key.created'] })
      ).status,
    ).toBe(403);
    expect((await app.http.get(`/api/v1/webhooks/${webhookId}/deliveries`).set(bearer(reader.token))).status).toBe(403);

    const other = await createOrganization(app);
    const list = await app.http.get('/api/v1/webhooks').set(bearer(other.token));
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
    for (const path of [`/api/v1/webhooks/${webhookId}`, `/api/v1/webhooks/${webhookId}/deliveries`])
      expect((await app.http.get(path).set(bearer(other.token))).status).toBe(404);
    expect((await app.http.delete(`/api/v1/webhooks/${webhookId}`).set(bearer(other.token))).status).toBe(404);
    // Its own keys reach only its own webhooks: ours hears nothing of them.
    const before = receiver.received.length;
    const theirs = await createKey(app, { name: 'theirs', expiration: '30d' }, other.token);
    await new Promise((r) => setTimeout(r, 300));
    expect(receivedFor(theirs.id)).toEqual([]);
    expect(receiver.received.length).toBe(before);
  });

  test('each webhook change is audited, without its secret', async () => {
    const res = await app.http.get('/api/v1/audit?action=webhook.*').set(admin());
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['webhook.create', 'webhook.update', 'webhook.delete', 'webhook.redeliver']),
    );
    expect(JSON.stringify(res.body)).not.toContain('whsec_');
  });
});
