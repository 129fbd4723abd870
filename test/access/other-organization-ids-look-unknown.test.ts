import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { newKeyId } from '../../src/principals/token.js';
import {
  bearer,
  createOrganization,
  scimClientFor,
  type CreatedOrganization,
  type OrgScimClient,
} from '../support/orgs.js';
import { GROUP_SCHEMA, createKey, oktaUser, patchOp, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * DESIGN §3 (every query filters by org_id): to organization B, organization A's ids are simply
 * unknown. Each request B makes with one of A's ids must answer exactly as it does for an id nobody
 * has (same status, content type and body, once the id itself is blanked out), and change nothing.
 */

let app: TestApp;
let orgB: CreatedOrganization;
let scimA: OrgScimClient;
let scimB: OrgScimClient;

// Organization A (the bootstrap organization) and its resources.
const A = { userId: '', groupId: '', localGroupId: '', keyId: '', keyToken: '', personalKeyId: '' };
// Organization B's own resources, for requests that need one (e.g. moving B's key into A's group).
const B = { keyId: '', groupId: '' };

const adminA = () => bearer(app.adminToken);
const adminB = () => bearer(orgB.token);

interface Answer {
  status: number;
  type: string | undefined;
  body: string;
}

/** What a client can observe of an answer, with the id it asked about blanked out. */
function answer(res: Response, id: string): Answer {
  const text = res.text ?? '';
  return { status: res.status, type: res.headers['content-type'], body: text.split(id).join('<id>') };
}

type Ask = (id: string) => Promise<Response>;

/** Asks once with A's id and once with an id nobody has; both answers must be the same. */
async function expectSameAsUnknown(ask: Ask, idOfA: string, unknownId: string): Promise<Answer> {
  const forA = answer(await ask(idOfA), idOfA);
  const forUnknown = answer(await ask(unknownId), unknownId);
  expect(forA).toEqual(forUnknown);
  // Every request here answers with a body; an empty one would make the comparison say nothing.
  expect(forA.body).toMatch(/^[{[]/);
  return forA;
}

beforeAll(async () => {
  app = await startTestApp();
  orgB = await createOrganization(app);
  scimA = await scimClientFor(app, app.adminToken);
  scimB = await scimClientFor(app, orgB.token);

  const user = await scimA.post('/Users', oktaUser('shared@example.com', { externalId: 'shared-ext' }));
  A.userId = user.body.id;
  const group = await scimA.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'Shared',
    members: [{ value: A.userId }],
  });
  A.groupId = group.body.id;
  const local = await app.http
    .post('/api/v1/groups')
    .set(adminA())
    .send({ displayName: 'A local', rules: [{ role: 'viewer' }] });
  A.localGroupId = local.body.id;
  await app.http
    .put(`/api/v1/groups/${A.groupId}/rules`)
    .set(adminA())
    .send({ rules: [{ role: 'developer' }] });
  const key = await createKey(app, { name: 'A service', groupId: A.localGroupId });
  A.keyId = key.id;
  A.keyToken = key.token;
  A.personalKeyId = (await createKey(app, { name: 'A personal', ownerUserId: A.userId, groupId: A.groupId })).id;

  B.keyId = (await createKey(app, { name: 'B service' }, orgB.token)).id;
  B.groupId = (await app.http.post('/api/v1/groups').set(adminB()).send({ displayName: 'B local' })).body.id;
});
afterAll(() => app.close());

const unknownKey = () => newKeyId();
const unknownUuid = () => randomUUID();

describe('admin API: organization A’s ids answer organization B like unknown ids', () => {
  const keyRequests: [string, Ask][] = [
    ['GET /api/v1/keys/:id', (id) => app.http.get(`/api/v1/keys/${id}`).set(adminB())],
    ['PATCH /api/v1/keys/:id', (id) => app.http.patch(`/api/v1/keys/${id}`).set(adminB()).send({ name: 'hijacked' })],
    ['POST /api/v1/keys/:id/rotate', (id) => app.http.post(`/api/v1/keys/${id}/rotate`).set(adminB()).send({})],
    ['DELETE /api/v1/keys/:id', (id) => app.http.delete(`/api/v1/keys/${id}`).set(adminB())],
  ];

  it.each(keyRequests)('%s on a service key of A answers 404 like an unknown key', async (_name, ask) => {
    expect((await expectSameAsUnknown(ask, A.keyId, unknownKey())).status).toBe(404);
  });

  it.each(keyRequests)('%s on a personal key of A answers 404 like an unknown key', async (_name, ask) => {
    expect((await expectSameAsUnknown(ask, A.personalKeyId, unknownKey())).status).toBe(404);
  });

  const groupRequests: [string, Ask][] = [
    ['GET /api/v1/groups/:id', (id) => app.http.get(`/api/v1/groups/${id}`).set(adminB())],
    ['GET /api/v1/groups/:id/members', (id) => app.http.get(`/api/v1/groups/${id}/members`).set(adminB())],
    [
      'PUT /api/v1/groups/:id/rules',
      (id) =>
        app.http
          .put(`/api/v1/groups/${id}/rules`)
          .set(adminB())
          .send({ rules: [{ role: 'admin' }] }),
    ],
    [
      'PATCH /api/v1/groups/:id',
      (id) => app.http.patch(`/api/v1/groups/${id}`).set(adminB()).send({ description: 'hijacked' }),
    ],
    ['DELETE /api/v1/groups/:id', (id) => app.http.delete(`/api/v1/groups/${id}`).set(adminB())],
  ];

  it.each(groupRequests)('%s on a SCIM group of A answers 404 like an unknown group', async (_name, ask) => {
    expect((await expectSameAsUnknown(ask, A.groupId, unknownUuid())).status).toBe(404);
  });

  it.each(groupRequests)('%s on a local group of A answers 404 like an unknown group', async (_name, ask) => {
    expect((await expectSameAsUnknown(ask, A.localGroupId, unknownUuid())).status).toBe(404);
  });

  it('creating a service key in B for A’s group answers the same 400 naming groupId as an unknown group', async () => {
    const res = await expectSameAsUnknown(
      (id) => app.http.post('/api/v1/keys').set(adminB()).send({ name: 'borrow', groupId: id }),
      A.groupId,
      unknownUuid(),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: 'groupId' })]);
  });

  it('creating a personal key in B for A’s user answers the same 400 naming ownerUserId as an unknown user', async () => {
    const res = await expectSameAsUnknown(
      (id) => app.http.post('/api/v1/keys').set(adminB()).send({ name: 'borrow', ownerUserId: id }),
      A.userId,
      unknownUuid(),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: 'ownerUserId' })]);
  });

  it('moving B’s key into A’s group answers the same 400 as an unknown group', async () => {
    const res = await expectSameAsUnknown(
      (id) => app.http.patch(`/api/v1/keys/${B.keyId}`).set(adminB()).send({ groupId: id }),
      A.localGroupId,
      unknownUuid(),
    );
    expect(res.status).toBe(400);
  });

  it('revoking every key of A’s group or A’s user from B revokes nothing, like an unknown id', async () => {
    const byGroup = await expectSameAsUnknown(
      (id) => app.http.post('/api/v1/keys/revoke').set(adminB()).send({ groupId: id }),
      A.localGroupId,
      unknownUuid(),
    );
    expect(byGroup.status).toBe(200);
    expect(JSON.parse(byGroup.body)).toEqual({ revoked: [] });
    const byOwner = await expectSameAsUnknown(
      (id) => app.http.post('/api/v1/keys/revoke').set(adminB()).send({ ownerUserId: id }),
      A.userId,
      unknownUuid(),
    );
    expect(JSON.parse(byOwner.body)).toEqual({ revoked: [] });
  });

  it('listing keys in B by A’s group or A’s user finds nothing, like an unknown id', async () => {
    const byGroup = await expectSameAsUnknown(
      (id) => app.http.get(`/api/v1/keys?owner=all&groupId=${id}`).set(adminB()),
      A.localGroupId,
      unknownUuid(),
    );
    expect(JSON.parse(byGroup.body)).toEqual({ items: [], nextCursor: null });
    const byOwner = await expectSameAsUnknown(
      (id) => app.http.get(`/api/v1/keys?owner=all&ownerUserId=${id}`).set(adminB()),
      A.userId,
      unknownUuid(),
    );
    expect(JSON.parse(byOwner.body)).toEqual({ items: [], nextCursor: null });
  });

  it('GET /api/v1/users/:id of A’s user from B answers 404 like an unknown user', async () => {
    const ask: Ask = (id) => app.http.get(`/api/v1/users/${id}`).set(adminB());
    expect((await expectSameAsUnknown(ask, A.userId, unknownUuid())).status).toBe(404);
  });

  it('B’s key, group, user and audit lists hold nothing of A', async () => {
    const keys = await app.http.get('/api/v1/keys?owner=all&limit=100').set(adminB());
    expect(keys.status).toBe(200);
    const keyIds = keys.body.items.map((k: { id: string }) => k.id);
    expect(keyIds).not.toContain(A.keyId);
    expect(keyIds).not.toContain(A.personalKeyId);
    const groups = await app.http.get('/api/v1/groups?limit=500').set(adminB());
    const groupIds = groups.body.items.map((g: { id: string }) => g.id);
    expect(groupIds).not.toContain(A.groupId);
    expect(groupIds).not.toContain(A.localGroupId);
    const users = await app.http.get('/api/v1/users?q=shared').set(adminB());
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { id: string }) => u.id)).not.toContain(A.userId);
    const audit = await app.http.get(`/api/v1/audit?target=key:${A.keyId}`).set(adminB());
    expect(audit.status).toBe(200);
    expect(audit.body.items).toEqual([]);
  });

  it('introspecting A’s token with B’s key answers {active: false}, like an unknown token', async () => {
    const other = (await createKey(app, { name: 'throwaway' }, orgB.token)).token;
    await app.http.delete(`/api/v1/keys/${other.split('_')[1]}`).set(adminB());
    const forA = await app.http.post('/api/v1/introspect').set(adminB()).send({ token: A.keyToken });
    const forRevoked = await app.http.post('/api/v1/introspect').set(adminB()).send({ token: other });
    const forJunk = await app.http
      .post('/api/v1/introspect')
      .set(adminB())
      .send({ token: `ksk_${newKeyId()}_${'x'.repeat(30)}` });
    expect(forA.status).toBe(200);
    expect(forA.body).toEqual({ active: false });
    expect(forRevoked.body).toEqual(forA.body);
    expect(forJunk.body).toEqual(forA.body);
  });
});

describe('SCIM: organization A’s ids answer organization B’s SCIM key like unknown ids', () => {
  const userRequests: [string, Ask][] = [
    ['GET /Users/:id', (id) => scimB.get(`/Users/${id}`)],
    ['PUT /Users/:id', (id) => scimB.put(`/Users/${id}`, oktaUser('shared@example.com', { active: false }))],
    ['PATCH /Users/:id', (id) => scimB.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } }))],
    ['DELETE /Users/:id', (id) => scimB.delete(`/Users/${id}`)],
  ];

  it.each(userRequests)('%s on A’s user answers 404 like an unknown user', async (_name, ask) => {
    const res = await expectSameAsUnknown(ask, A.userId, unknownUuid());
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^application\/scim\+json/);
  });

  const groupRequests: [string, Ask][] = [
    ['GET /Groups/:id', (id) => scimB.get(`/Groups/${id}`)],
    [
      'PUT /Groups/:id',
      (id) => scimB.put(`/Groups/${id}`, { schemas: [GROUP_SCHEMA], displayName: 'Hijacked', members: [] }),
    ],
    ['PATCH /Groups/:id', (id) => scimB.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: 'members' }))],
    ['DELETE /Groups/:id', (id) => scimB.delete(`/Groups/${id}`)],
  ];

  it.each(groupRequests)('%s on A’s group answers 404 like an unknown group', async (_name, ask) => {
    const res = await expectSameAsUnknown(ask, A.groupId, unknownUuid());
    expect(res.status).toBe(404);
  });

  it('adding A’s user or group as a member of B’s group answers the same 400 as an unknown member', async () => {
    const own = await scimB.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'B members', members: [] });
    expect(own.status).toBe(201);
    for (const idOfA of [A.userId, A.groupId]) {
      const res = await expectSameAsUnknown(
        (id) => scimB.patch(`/Groups/${own.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: id }] })),
        idOfA,
        unknownUuid(),
      );
      expect(res.status).toBe(400);
    }
    const created = await expectSameAsUnknown(
      (id) => scimB.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `B with ${id}`, members: [{ value: id }] }),
      A.userId,
      unknownUuid(),
    );
    expect(created.status).toBe(400);
  });

  it('a userName or displayName taken in A is free in B (a 409 would reveal it)', async () => {
    const user = await scimB.post('/Users', oktaUser('shared@example.com', { externalId: 'shared-ext' }));
    expect(user.status).toBe(201);
    const group = await scimB.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Shared', members: [] });
    expect(group.status).toBe(201);
  });

  it('filters in B never return A’s users or groups', async () => {
    const list = async (url: string) => {
      const res = await scimB.get(url);
      expect(res.status).toBe(200);
      return res.body as { totalResults: number; Resources: { id: string }[] };
    };
    const filters = [
      'userName eq "shared@example.com"',
      'externalId eq "shared-ext"',
      `id eq "${A.userId}"`,
      `groups.value eq "${A.groupId}"`,
      'userName pr',
      'not (userName eq "nobody")',
      'userName sw "s" or active eq true',
    ];
    for (const filter of filters) {
      const body = await list(`/Users?count=1000&filter=${encodeURIComponent(filter)}`);
      expect(body.Resources.map((r) => r.id)).not.toContain(A.userId);
      expect(body.totalResults).toBe(body.Resources.length);
    }
    expect((await list(`/Users?filter=${encodeURIComponent(`id eq "${A.userId}"`)}`)).totalResults).toBe(0);
    expect((await list(`/Groups?filter=${encodeURIComponent(`id eq "${A.groupId}"`)}`)).totalResults).toBe(0);
    expect((await list(`/Groups?filter=${encodeURIComponent(`members.value eq "${A.userId}"`)}`)).totalResults).toBe(0);
    const all = await list('/Groups?count=1000');
    expect(all.Resources.map((r) => r.id)).not.toContain(A.groupId);
  });

  it('searches by POST, on the root too, never return A’s users or groups', async () => {
    const schemas = ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'];
    const ofA = `id eq "${A.userId}" or id eq "${A.groupId}"`;
    const searches: [string, string | undefined][] = [
      ['/.search', undefined],
      ['/.search', ofA],
      ['/.search', 'displayName pr or userName pr'],
      ['/Users/.search', ofA],
      ['/Users/.search', 'userName pr'],
      ['/Groups/.search', ofA],
      ['/Groups/.search', 'displayName pr'],
    ];
    for (const [url, filter] of searches) {
      const res = await scimB.post(url, { schemas, count: 1000, ...(filter ? { filter } : {}) });
      expect({ url, filter, status: res.status }).toEqual({ url, filter, status: 200 });
      const ids = (res.body.Resources as { id: string }[]).map((r) => r.id);
      expect(ids).not.toContain(A.userId);
      expect(ids).not.toContain(A.groupId);
      expect(res.body.totalResults).toBe(ids.length);
    }
  });
});

describe('after all of B’s attempts', () => {
  it('A’s users, groups, rules and keys are exactly as A left them', async () => {
    const user = await scimA.get(`/Users/${A.userId}`);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ userName: 'shared@example.com', active: true, meta: { version: 'W/"1"' } });
    const group = await app.http.get(`/api/v1/groups/${A.groupId}`).set(adminA());
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ displayName: 'Shared', memberCount: 1, rules: [{ role: 'developer' }] });
    const local = await app.http.get(`/api/v1/groups/${A.localGroupId}`).set(adminA());
    expect(local.body).toMatchObject({ displayName: 'A local', description: '', rules: [{ role: 'viewer' }] });
    for (const [id, name] of [
      [A.keyId, 'A service'],
      [A.personalKeyId, 'A personal'],
    ] as const) {
      const key = await app.http.get(`/api/v1/keys/${id}`).set(adminA());
      expect(key.body).toMatchObject({ name, status: 'active', revokedAt: null });
    }
    const me = await app.http.get('/api/v1/me').set(bearer(A.keyToken));
    expect(me.status).toBe(200);
    const rotated = await app.http.get(`/api/v1/keys?owner=all&limit=100`).set(adminA());
    expect(
      rotated.body.items.filter(
        (k: { rotatedFrom: string | null }) => k.rotatedFrom === A.keyId || k.rotatedFrom === A.personalKeyId,
      ),
    ).toEqual([]);
  });
});
