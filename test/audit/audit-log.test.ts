import type { Response } from 'supertest';
import { bearer, createOrganization, scimClientFor, uniqueName, type OrgScimClient } from '../support/orgs.js';
import { GROUP_SCHEMA, createKey, oktaUser, patchOp, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The audit log (DESIGN §3, §7): every key, rule, group and organization change and every SCIM write
 * leaves one event naming who (the key), what, on what, and the request that did it; the log is
 * readable with audit:read, filtered and paged newest first; a write that fails leaves nothing.
 */

interface AuditItem {
  id: string;
  at: string;
  actor: { id: string; name: string };
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

let app: TestApp;
let scim: OrgScimClient;
let adminKeyId: string;
const admin = () => bearer(app.adminToken);
const ADMIN_ACTOR_NAME = 'key "Bootstrap admin key"';

/** Every event of the caller's organization, newest first (following cursors). */
async function allEvents(token = app.adminToken, query = ''): Promise<AuditItem[]> {
  const out: AuditItem[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await app.http
      .get(`/api/v1/audit?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`)
      .set(bearer(token));
    expect(res.status).toBe(200);
    out.push(...(res.body.items as AuditItem[]));
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** The events a response's request left, found by its X-Request-Id. */
async function eventsOf(res: Response, token = app.adminToken): Promise<AuditItem[]> {
  const requestId = res.headers['x-request-id'];
  expect(requestId).toEqual(expect.any(String));
  return (await allEvents(token)).filter((e) => e.requestId === requestId);
}

/** Exactly one event for this request, with this action and target, by this key. */
async function expectOneEvent(
  res: Response,
  expected: { action: string; target: string; actorKeyId: string; actorName?: string | RegExp },
  token?: string,
): Promise<AuditItem> {
  expect(res.status).toBeLessThan(300);
  const events = await eventsOf(res, token);
  expect(events.map((e) => [e.action, e.target])).toEqual([[expected.action, expected.target]]);
  const event = events[0]!;
  expect(event.actor.id).toBe(`key:${expected.actorKeyId}`);
  if (typeof expected.actorName === 'string') expect(event.actor.name).toBe(expected.actorName);
  else if (expected.actorName) expect(event.actor.name).toMatch(expected.actorName);
  else expect(event.actor.name).toMatch(/^(.+ \()?key "[^"]+"\)?$/);
  expect(Number.isNaN(Date.parse(event.at))).toBe(false);
  return event;
}

async function localGroup(rules: unknown[] = []): Promise<string> {
  const res = await app.http
    .post('/api/v1/groups')
    .set(admin())
    .send({ displayName: uniqueName('Audited'), rules });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  app = await startTestApp();
  adminKeyId = (await app.http.get('/api/v1/me').set(admin())).body.key.id;
  scim = await scimClientFor(app, app.adminToken);
});
afterAll(() => app.close());

describe('key changes are audited', () => {
  it('create, edit, move, rotate, revoke and revoke-all each leave one event with actor, target and request id', async () => {
    const from = await localGroup([{ permission: 'keys:read' }]);
    const to = await localGroup([{ permission: 'keys:read' }]);
    const created = await app.http.post('/api/v1/keys').set(admin()).send({ name: 'audited key', groupId: from });
    const id: string = created.body.key.id;
    const event = await expectOneEvent(created, {
      action: 'key.create',
      target: `key:${id}`,
      actorKeyId: adminKeyId,
      actorName: ADMIN_ACTOR_NAME,
    });
    expect(event.details).toMatchObject({ name: 'audited key', kind: 'service', groupId: from, scim: false });
    expect(JSON.stringify(event)).not.toContain(created.body.token);

    await expectOneEvent(await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ name: 'renamed' }), {
      action: 'key.update',
      target: `key:${id}`,
      actorKeyId: adminKeyId,
    });
    await expectOneEvent(await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ groupId: to }), {
      action: 'key.move',
      target: `key:${id}`,
      actorKeyId: adminKeyId,
    });
    const rotated = await app.http.post(`/api/v1/keys/${id}/rotate`).set(admin()).send({});
    const rotation = await expectOneEvent(rotated, {
      action: 'key.rotate',
      target: `key:${id}`,
      actorKeyId: adminKeyId,
    });
    expect(rotation.details).toMatchObject({ newKeyId: rotated.body.key.id });
    const newId: string = rotated.body.key.id;
    await expectOneEvent(await app.http.delete(`/api/v1/keys/${newId}`).set(admin()), {
      action: 'key.revoke',
      target: `key:${newId}`,
      actorKeyId: adminKeyId,
    });

    await createKey(app, { name: 'bulk 1', groupId: to });
    const bulk = await app.http.post('/api/v1/keys/revoke').set(admin()).send({ groupId: to });
    const revokeAll = await expectOneEvent(bulk, {
      action: 'key.revoke_all',
      target: `group:${to}`,
      actorKeyId: adminKeyId,
    });
    expect(revokeAll.details).toMatchObject({ count: 1 });
  });

  it('names a personal key’s actor by its owner and the key', async () => {
    const user = await scim.post('/Users', oktaUser('audited-owner@example.com'));
    const group = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: uniqueName('Audited devs'),
      members: [{ value: user.body.id }],
    });
    await app.http
      .put(`/api/v1/groups/${group.body.id}/rules`)
      .set(admin())
      .send({ rules: [{ role: 'developer' }] });
    const personal = await createKey(app, { name: 'owner laptop', ownerUserId: user.body.id });
    const res = await app.http
      .post('/api/v1/keys')
      .set(bearer(personal.token))
      .send({ name: 'owner second', kind: 'personal' });
    expect(res.status).toBe(201);
    await expectOneEvent(res, {
      action: 'key.create',
      target: `key:${res.body.key.id}`,
      actorKeyId: personal.id,
      actorName: 'audited-owner@example.com (key "owner laptop")',
    });
  });
});

describe('rule, group and organization changes are audited', () => {
  it('PUT rules leaves a group.rules event with the new rules', async () => {
    const g = await localGroup();
    const res = await app.http
      .put(`/api/v1/groups/${g}/rules`)
      .set(admin())
      .send({ rules: [{ role: 'viewer' }] });
    const event = await expectOneEvent(res, { action: 'group.rules', target: `group:${g}`, actorKeyId: adminKeyId });
    expect(event.details).toMatchObject({ rules: [{ role: 'viewer' }] });
  });

  it('local group create, update and delete each leave one event', async () => {
    const created = await app.http
      .post('/api/v1/groups')
      .set(admin())
      .send({ displayName: uniqueName('Local audited') });
    const id: string = created.body.id;
    await expectOneEvent(created, { action: 'group.create', target: `group:${id}`, actorKeyId: adminKeyId });
    await expectOneEvent(
      await app.http.patch(`/api/v1/groups/${id}`).set(admin()).send({ description: 'now described' }),
      { action: 'group.update', target: `group:${id}`, actorKeyId: adminKeyId },
    );
    const deleted = await app.http.delete(`/api/v1/groups/${id}`).set(admin());
    expect(deleted.status).toBe(204);
    await expectOneEvent(deleted, { action: 'group.delete', target: `group:${id}`, actorKeyId: adminKeyId });
  });

  it('creating an organization and changing a policy each leave one event', async () => {
    const created = await app.http
      .post('/api/v1/organizations')
      .set(admin())
      .send({ name: uniqueName('Audited org') });
    expect(created.status).toBe(201);
    const orgId: string = created.body.organization.id;
    await expectOneEvent(created, {
      action: 'org.create',
      target: `org:${orgId}`,
      actorKeyId: adminKeyId,
      actorName: ADMIN_ACTOR_NAME,
    });
    const policy = await app.http.patch('/api/v1/organizations/current').set(admin()).send({ maxKeys: 500 });
    const event = await expectOneEvent(policy, {
      action: 'org.policy',
      target: `org:${app.orgId}`,
      actorKeyId: adminKeyId,
    });
    expect(event.details).toEqual({ maxKeys: 500 });
  });

  it('the new organization’s own log records how it was created, by whom and in which request', async () => {
    const created = await app.http
      .post('/api/v1/organizations')
      .set(admin())
      .send({ name: uniqueName('Self-audited org') });
    const token: string = created.body.token;
    const events = await allEvents(token);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { id: `key:${adminKeyId}` },
      target: `org:${created.body.organization.id}`,
      requestId: created.headers['x-request-id'],
    });
  });
});

describe('SCIM writes are audited with the SCIM key as actor', () => {
  it('user create, update, deactivate and delete each leave one event', async () => {
    const created = await scim.post('/Users', oktaUser('scim-audited@example.com'));
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await expectOneEvent(created, { action: 'user.create', target: `user:${id}`, actorKeyId: scim.keyId });
    await expectOneEvent(
      await scim.put(`/Users/${id}`, oktaUser('scim-audited@example.com', { displayName: 'Renamed' })),
      { action: 'user.update', target: `user:${id}`, actorKeyId: scim.keyId },
    );
    await expectOneEvent(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } })), {
      action: 'user.deactivate',
      target: `user:${id}`,
      actorKeyId: scim.keyId,
    });
    const deleted = await scim.delete(`/Users/${id}`);
    expect(deleted.status).toBe(204);
    await expectOneEvent(deleted, { action: 'user.delete', target: `user:${id}`, actorKeyId: scim.keyId });
  });

  it('group create, update and delete each leave one event', async () => {
    const member = await scim.post('/Users', oktaUser('scim-member@example.com'));
    const created = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: uniqueName('SCIM audited'),
      members: [],
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await expectOneEvent(created, { action: 'group.create', target: `group:${id}`, actorKeyId: scim.keyId });
    const patched = await scim.patch(
      `/Groups/${id}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: member.body.id }] }),
    );
    const update = await expectOneEvent(patched, {
      action: 'group.update',
      target: `group:${id}`,
      actorKeyId: scim.keyId,
    });
    expect(update.details).toMatchObject({ membersAdded: 1, added: [member.body.id] });
    const deleted = await scim.delete(`/Groups/${id}`);
    expect(deleted.status).toBe(204);
    await expectOneEvent(deleted, { action: 'group.delete', target: `group:${id}`, actorKeyId: scim.keyId });
  });
});

describe('request ids', () => {
  it('echoes a safe client X-Request-Id and records it on the event', async () => {
    const res = await app.http
      .post('/api/v1/keys')
      .set(admin())
      .set('X-Request-Id', 'deploy-42.step:7')
      .send({ name: 'traced' });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('deploy-42.step:7');
    const events = await allEvents(app.adminToken, `&target=key:${res.body.key.id}`);
    expect(events.map((e) => e.requestId)).toEqual(['deploy-42.step:7']);
  });

  it.each([['has spaces in it'], ['x'.repeat(129)], ['quote"inside']])(
    'replaces an unsafe client X-Request-Id %j with its own, and records that one',
    async (unsafe) => {
      const res = await app.http
        .post('/api/v1/keys')
        .set(admin())
        .set('X-Request-Id', unsafe)
        .send({ name: 'untraced' });
      expect(res.status).toBe(201);
      const own = res.headers['x-request-id'];
      expect(own).not.toBe(unsafe);
      expect(own).toMatch(/^[0-9a-f-]{36}$/);
      const events = await allEvents(app.adminToken, `&target=key:${res.body.key.id}`);
      expect(events.map((e) => e.requestId)).toEqual([own]);
    },
  );
});

describe('reading the log', () => {
  it('needs audit:read: 403 without it, 200 with it (role viewer)', async () => {
    const devs = await localGroup([{ role: 'developer' }]);
    const viewers = await localGroup([{ role: 'viewer' }]);
    const dev = await createKey(app, { name: 'no audit', groupId: devs });
    const viewer = await createKey(app, { name: 'reads audit', groupId: viewers });
    const denied = await app.http.get('/api/v1/audit').set(bearer(dev.token));
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toMatch(/audit:read/);
    expect((await app.http.get('/api/v1/audit').set(bearer(viewer.token))).status).toBe(200);
  });

  it('filters by exact action and by an action family', async () => {
    await createKey(app, { name: 'family member' });
    const creates = await allEvents(app.adminToken, '&action=key.create');
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((e) => e.action === 'key.create')).toBe(true);
    const family = await allEvents(app.adminToken, '&action=key.*');
    const actions = new Set(family.map((e) => e.action));
    expect([...actions].every((a) => a.startsWith('key.'))).toBe(true);
    expect(actions.has('key.create')).toBe(true);
    expect(actions.has('key.revoke')).toBe(true);
    const all = await allEvents();
    expect(family.length).toBe(all.filter((e) => e.action.startsWith('key.')).length);
    expect(family.length).toBeLessThan(all.length);
  });

  it('filters by actor and by target', async () => {
    const all = await allEvents();
    const byScim = await allEvents(app.adminToken, `&actor=key:${scim.keyId}`);
    expect(byScim.length).toBeGreaterThan(0);
    expect(byScim.map((e) => e.id)).toEqual(all.filter((e) => e.actor.id === `key:${scim.keyId}`).map((e) => e.id));
    const { id } = await createKey(app, { name: 'targeted' });
    await app.http.patch(`/api/v1/keys/${id}`).set(admin()).send({ description: 'touched' });
    const byTarget = await allEvents(app.adminToken, `&target=key:${id}`);
    expect(byTarget.map((e) => e.action)).toEqual(['key.update', 'key.create']);
  });

  it('filters by since (inclusive) and until (exclusive)', async () => {
    await createKey(app, { name: 'time 1' });
    await createKey(app, { name: 'time 2' });
    const all = await allEvents();
    // A pivot whose millisecond differs from the next older event's, so the split is unambiguous.
    const i = all.findIndex((e, k) => k + 1 < all.length && Date.parse(e.at) > Date.parse(all[k + 1]!.at));
    expect(i).toBeGreaterThanOrEqual(0);
    const pivot = all[i]!;
    const since = await allEvents(app.adminToken, `&since=${encodeURIComponent(pivot.at)}`);
    expect(since.map((e) => e.id)).toContain(pivot.id);
    expect(since.map((e) => e.id)).not.toContain(all[i + 1]!.id);
    expect(since.every((e) => Date.parse(e.at) >= Date.parse(pivot.at))).toBe(true);
    const until = await allEvents(app.adminToken, `&until=${encodeURIComponent(pivot.at)}`);
    expect(until.map((e) => e.id)).not.toContain(pivot.id);
    expect(until.map((e) => e.id)).toContain(all[i + 1]!.id);
    expect(since.length + until.length).toBe(all.length);
  });

  it('refuses a since that is not a date with 400', async () => {
    expect((await app.http.get('/api/v1/audit?since=yesterday').set(admin())).status).toBe(400);
    for (const date of ['9999-12-31T23:59:59-23:59', '2024-01-01T00:00:00+16:00', '2026-02-30T00:00:00Z']) {
      expect((await app.http.get(`/api/v1/audit?until=${encodeURIComponent(date)}`).set(admin())).status).toBe(400);
    }
    expect((await app.http.get('/api/v1/audit?cursor=abc').set(admin())).status).toBe(400);
  });

  it('pages with cursor, newest first, without duplicates or gaps', async () => {
    for (let i = 0; i < 4; i++) await createKey(app, { name: `page ${i}` });
    const all = await allEvents();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await app.http
        .get(`/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin());
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((e: AuditItem) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.map((e) => e.id));
    const numeric = seen.map(Number);
    expect(numeric).toEqual([...numeric].sort((x, y) => y - x));
  });

  it('shows one organization nothing of another’s log', async () => {
    const org = await createOrganization(app);
    await createKey(app, { name: 'in other org' }, org.token);
    const mine = await allEvents(app.adminToken);
    const theirs = await allEvents(org.token);
    const mineIds = new Set(mine.map((e) => e.id));
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.some((e) => mineIds.has(e.id))).toBe(false);
  });
});

describe('a failed write records nothing', () => {
  it('a 409 on a duplicate local group leaves no event', async () => {
    const name = uniqueName('Duplicate');
    expect((await app.http.post('/api/v1/groups').set(admin()).send({ displayName: name })).status).toBe(201);
    const dup = await app.http.post('/api/v1/groups').set(admin()).send({ displayName: name });
    expect(dup.status).toBe(409);
    expect(await eventsOf(dup)).toEqual([]);
  });

  it('a 409 on a duplicate SCIM userName leaves no event', async () => {
    expect((await scim.post('/Users', oktaUser('dup-audit@example.com'))).status).toBe(201);
    const dup = await scim.post('/Users', oktaUser('dup-audit@example.com'));
    expect(dup.status).toBe(409);
    expect(await eventsOf(dup)).toEqual([]);
  });

  it('a 409 key limit, a 400 and a 403 leave no event', async () => {
    const org = await createOrganization(app);
    await app.http.patch('/api/v1/organizations/current').set(bearer(org.token)).send({ maxKeys: 1 });
    const limited = await app.http.post('/api/v1/keys').set(bearer(org.token)).send({ name: 'over the limit' });
    expect(limited.status).toBe(409);
    expect(await eventsOf(limited, org.token)).toEqual([]);
    const invalid = await app.http.post('/api/v1/keys').set(admin()).send({ name: 'bad', expiration: '5d' });
    expect(invalid.status).toBe(400);
    expect(await eventsOf(invalid)).toEqual([]);
    const devs = await localGroup([{ role: 'developer' }]);
    const dev = await createKey(app, { name: 'weak', groupId: devs });
    const forbidden = await app.http
      .put(`/api/v1/groups/${devs}/rules`)
      .set(bearer(dev.token))
      .send({ rules: [{ role: 'admin' }] });
    expect(forbidden.status).toBe(403);
    expect(await eventsOf(forbidden)).toEqual([]);
  });
});
