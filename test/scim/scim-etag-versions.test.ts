import type { Response } from 'supertest';
import { createGroup, createUser, expectScimError, oneOrigin, type ScimDoc } from '../support/fixtures.js';
import {
  USER_SCHEMA,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Versions (RFC 7644 §3.14): meta.version is a weak entity tag, the same as the ETag header; it moves
 * on every change; If-Match guards writes (412 on mismatch) and If-None-Match saves reads (304).
 */

let app: TestApp;
let scim: ScimClient;
let n = 0;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const WEAK = /^W\/"[^"]+"$/;

function versionOf(res: Response): string {
  const version = (res.body as { meta?: { version?: unknown } }).meta?.version;
  expect(typeof version).toBe('string');
  expect(version).toMatch(WEAK);
  expect(res.headers.etag).toBe(version);
  return version as string;
}

async function newUser(): Promise<ScimDoc> {
  return createUser(scim, oktaUser(`etag${++n}@example.com`));
}

/** The strong form of a weak tag: W/"3" → "3". */
const strong = (tag: string) => tag.replace(/^W\//, '');

describe('users', () => {
  it('carries the same weak ETag in meta.version and the ETag header, on every answer', async () => {
    const created = await scim.post('/Users', oktaUser('etag-headers@example.com'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    versionOf(created);
    versionOf(await scim.get(`/Users/${id}`));
    versionOf(await scim.put(`/Users/${id}`, oktaUser('etag-headers@example.com', { title: 'changed' })));
    versionOf(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'again' })));
    const listed = await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`);
    expect(listed.body.Resources[0].meta.version).toBe((await scim.get(`/Users/${id}`)).headers.etag);
  });

  it('moves on every change, to a version it never had before', async () => {
    const user = await newUser();
    const id = user.id;
    const seen = [versionOf(await scim.get(`/Users/${id}`))];
    const changes = [
      () => scim.put(`/Users/${id}`, oktaUser(user.userName as string, { displayName: 'Put' })),
      () => scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Patched' })),
      () => scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } })),
      () =>
        scim.patch(
          `/Users/${id}`,
          patchOp({ op: 'add', path: 'emails', value: [{ value: 'second@example.com', type: 'home' }] }),
        ),
      () => scim.put(`/Users/${id}`, oktaUser(user.userName as string, { displayName: 'Put' })),
    ];
    for (const change of changes) {
      const res = await change();
      expect(res.status).toBe(200);
      const version = versionOf(res);
      expect(seen).not.toContain(version);
      expect(versionOf(await scim.get(`/Users/${id}`))).toBe(version);
      seen.push(version);
    }
  });

  it('refuses PUT, PATCH and DELETE with a stale If-Match (412) and leaves the user as it was', async () => {
    const user = await newUser();
    const stale = versionOf(await scim.get(`/Users/${user.id}`));
    await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'current' }));
    const before = await scim.get(`/Users/${user.id}`);

    expectScimError(
      await scim.put(`/Users/${user.id}`, oktaUser(user.userName as string, { title: 'lost' })).set('If-Match', stale),
      412,
    );
    expectScimError(
      await scim
        .patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'lost' }))
        .set('If-Match', stale),
      412,
    );
    expectScimError(await scim.delete(`/Users/${user.id}`).set('If-Match', stale), 412);
    expectScimError(await scim.delete(`/Users/${user.id}`).set('If-Match', 'W/"no-such-version"'), 412);

    const after = await scim.get(`/Users/${user.id}`);
    expect(after.status).toBe(200);
    expect(oneOrigin(after.body)).toEqual(oneOrigin(before.body));
  });

  it('accepts PUT, PATCH and DELETE whose If-Match names the current version, or *', async () => {
    const user = await newUser();
    let current = versionOf(await scim.get(`/Users/${user.id}`));
    const put = await scim
      .put(`/Users/${user.id}`, oktaUser(user.userName as string, { title: 'put' }))
      .set('If-Match', current);
    expect(put.status).toBe(200);
    current = versionOf(put);
    // A list of tags, one of them current (RFC 7232 §3.1).
    const patched = await scim
      .patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'patch' }))
      .set('If-Match', `W/"old", ${current}`);
    expect(patched.status).toBe(200);
    current = versionOf(patched);
    const any = await scim
      .patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'any' }))
      .set('If-Match', '*');
    expect(any.status).toBe(200);
    current = versionOf(any);
    expect((await scim.delete(`/Users/${user.id}`).set('If-Match', current)).status).toBe(204);
    expect((await scim.get(`/Users/${user.id}`)).status).toBe(404);
  });

  it('answers 304 without a body when If-None-Match names the current version (weak comparison, RFC 7232 §3.2)', async () => {
    const user = await newUser();
    const current = versionOf(await scim.get(`/Users/${user.id}`));
    for (const header of [current, strong(current), `W/"x", ${current}`, '*']) {
      const res = await scim.get(`/Users/${user.id}`).set('If-None-Match', header);
      expect({ header, status: res.status, text: res.text ?? '' }).toEqual({ header, status: 304, text: '' });
      expect(res.headers.etag).toBe(current);
    }
  });

  it('answers 200 with the user when If-None-Match names an older version', async () => {
    const user = await newUser();
    const old = versionOf(await scim.get(`/Users/${user.id}`));
    await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'newer' }));
    const res = await scim.get(`/Users/${user.id}`).set('If-None-Match', old);
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('newer');
    expect(versionOf(res)).not.toBe(old);
  });
});

describe('groups', () => {
  it('carries the same weak ETag in meta.version and the ETag header', async () => {
    const created = await scim.post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'ETag group',
      members: [],
    });
    expect(created.status).toBe(201);
    versionOf(created);
    versionOf(await scim.get(`/Groups/${created.body.id as string}`));
    versionOf(await scim.get(`/Groups/${created.body.id as string}?excludedAttributes=members`));
  });

  it('moves on rename, member add and member remove; a 204 PATCH answer carries the new ETag', async () => {
    const group = await createGroup(scim, `Moving ${++n}`);
    const member = await newUser();
    const seen = [versionOf(await scim.get(`/Groups/${group.id}`))];
    const changes = [
      patchOp({ op: 'replace', value: { id: group.id, displayName: `Renamed ${n}` } }),
      patchOp({ op: 'add', path: 'members', value: [{ value: member.id }] }),
      patchOp({ op: 'remove', path: `members[value eq "${member.id}"]` }),
    ];
    for (const body of changes) {
      const res = await scim.patch(`/Groups/${group.id}`, body).set('Prefer', 'return=minimal');
      expect(res.status).toBe(204);
      const read = await scim.get(`/Groups/${group.id}`);
      const version = versionOf(read);
      expect(res.headers.etag).toBe(version);
      expect(seen).not.toContain(version);
      seen.push(version);
    }
  });

  it('refuses PATCH, PUT and DELETE with a stale If-Match (412) and changes nothing', async () => {
    const group = await createGroup(scim, `Guarded ${++n}`);
    const stale = versionOf(await scim.get(`/Groups/${group.id}`));
    await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: 'displayName', value: `Guarded now ${n}` }));
    const before = await scim.get(`/Groups/${group.id}`);
    const outsider = await newUser();

    expectScimError(
      await scim
        .patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: outsider.id }] }))
        .set('If-Match', stale),
      412,
    );
    expectScimError(
      await scim
        .put(`/Groups/${group.id}`, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: 'Lost',
          members: [],
        })
        .set('If-Match', stale),
      412,
    );
    expectScimError(await scim.delete(`/Groups/${group.id}`).set('If-Match', stale), 412);

    const after = await scim.get(`/Groups/${group.id}`);
    expect(oneOrigin(after.body)).toEqual(oneOrigin(before.body));
    expect(after.body.members).toEqual([]);
  });

  it('accepts writes whose If-Match names the current version, and answers 304 to If-None-Match', async () => {
    const group = await createGroup(scim, `Matching ${++n}`);
    const member = await newUser();
    const current = versionOf(await scim.get(`/Groups/${group.id}`));
    const notModified = await scim.get(`/Groups/${group.id}`).set('If-None-Match', current);
    expect({ status: notModified.status, text: notModified.text ?? '' }).toEqual({ status: 304, text: '' });

    const added = await scim
      .patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: member.id }] }))
      .set('If-Match', current);
    expect([200, 204]).toContain(added.status);
    const now = versionOf(await scim.get(`/Groups/${group.id}`));
    expect(now).not.toBe(current);
    expect((await scim.get(`/Groups/${group.id}`).set('If-None-Match', current)).status).toBe(200);
    expect((await scim.delete(`/Groups/${group.id}`).set('If-Match', now)).status).toBe(204);
  });
});

describe('unknown resources', () => {
  // RFC 7232 §5: preconditions are ignored when the answer without them would not be 2xx.
  it('answers 404, not 412 or 304, whatever the preconditions', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expectScimError(await scim.get(`/Users/${missing}`).set('If-None-Match', '*'), 404);
    expectScimError(
      await scim
        .patch(`/Users/${missing}`, patchOp({ op: 'replace', path: 'title', value: 'x' }))
        .set('If-Match', 'W/"1"'),
      404,
    );
    expectScimError(
      await scim
        .put(`/Users/${missing}`, { schemas: [USER_SCHEMA], userName: 'ghost@example.com' })
        .set('If-Match', 'W/"1"'),
      404,
    );
  });
});
