import type { Response } from 'supertest';
import { createGroup, createManyUsers, type ScimDoc } from '../support/fixtures.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * DESIGN §6: concurrent PATCHes on one group lose nothing. Identity providers push membership one
 * user per request, many at once; each request is a delta that must land, whatever runs beside it.
 */

let app: TestApp;
let scim: ScimClient;
let users: ScimDoc[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  users = await createManyUsers(scim, 120, 'concurrent');
}, 120_000);
afterAll(() => app.close());

async function memberIds(groupId: string): Promise<string[]> {
  const res = await scim.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  return ((res.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
}

/** The stored count next to the rows it counts. */
async function memberCount(groupId: string): Promise<{ memberCount: number; rows: number }> {
  const { rows } = await app.db.query<{ member_count: number; rows: number }>(
    'SELECT g.member_count, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS rows FROM groups g WHERE g.id = $1',
    [groupId],
  );
  return { memberCount: Number(rows[0]!.member_count), rows: rows[0]!.rows };
}

function expectAllApplied(responses: Response[]): void {
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s !== 200 && s !== 204)).toEqual([]);
}

const ids = (docs: ScimDoc[]) => docs.map((u) => u.id).sort();

describe('concurrent PATCHes on one group', () => {
  it('keeps every one of 50 members added by 50 concurrent PATCHes, each under its own version', async () => {
    const group = await createGroup(scim, 'Concurrent adds');
    const joining = users.slice(0, 50);
    const responses = await Promise.all(
      joining.map((u) =>
        scim
          .patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] }))
          .set('Prefer', 'return=minimal'),
      ),
    );
    expectAllApplied(responses);
    expect(await memberIds(group.id)).toEqual(ids(joining));
    expect(await memberCount(group.id)).toEqual({ memberCount: 50, rows: 50 });
    // A 204 carries the version its own change produced; each change was applied on top of the one
    // before it, so no two share a version, and the group now has the last of them.
    const versions = new Set(responses.map((r) => r.headers.etag));
    expect(versions.size).toBe(50);
    expect(versions).toContain((await scim.get(`/Groups/${group.id}`)).headers.etag);
  });

  it('keeps members added concurrently in the forms Okta and Entra send', async () => {
    const group = await createGroup(scim, 'Concurrent dialects');
    const joining = users.slice(50, 90);
    const bodies = joining.map((u, i) =>
      i % 2
        ? patchOp({ op: 'Add', path: 'members', value: [{ value: u.id, display: `User ${i}` }] })
        : patchOp({ op: 'add', value: { members: [{ value: u.id }] } }),
    );
    const responses = await Promise.all(bodies.map((body) => scim.patch(`/Groups/${group.id}`, body)));
    expectAllApplied(responses);
    // A 200 answer shows the group at some moment at or after its change: its ETag is that moment's.
    for (const res of responses.filter((r) => r.status === 200)) expect(res.headers.etag).toBe(res.body.meta.version);
    expect(await memberIds(group.id)).toEqual(ids(joining));
    expect(await memberCount(group.id)).toEqual({ memberCount: 40, rows: 40 });
  });

  it('ends with exactly the expected members when adds and removes run together', async () => {
    const leaving = users.slice(0, 25);
    const staying = users.slice(25, 40);
    const joining = users.slice(90, 115);
    const group = await createGroup(scim, 'Concurrent churn', {
      members: [...leaving, ...staying].map((u) => ({ value: u.id })),
    });
    expect(await memberCount(group.id)).toEqual({ memberCount: 40, rows: 40 });

    const patches = [
      // Okta removes with a value filter; Entra removes by listing values under path "members".
      ...leaving.map((u, i) =>
        i % 2
          ? patchOp({ op: 'remove', path: `members[value eq "${u.id}"]` })
          : patchOp({ op: 'Remove', path: 'members', value: [{ value: u.id }] }),
      ),
      ...joining.map((u) => patchOp({ op: 'add', path: 'members', value: [{ value: u.id }] })),
    ];
    // Interleave removals and additions so that they overlap.
    const order = patches.map((_, i) => (i % 2 ? patches.length - 1 - Math.floor(i / 2) : Math.floor(i / 2)));
    expectAllApplied(await Promise.all(order.map((i) => scim.patch(`/Groups/${group.id}`, patches[i]!))));

    expect(await memberIds(group.id)).toEqual(ids([...staying, ...joining]));
    expect(await memberCount(group.id)).toEqual({ memberCount: 40, rows: 40 });
  });

  it('counts a member once when many PATCHes add the same user at the same time', async () => {
    const group = await createGroup(scim, 'Concurrent duplicates');
    const user = users[115]!;
    expectAllApplied(
      await Promise.all(
        Array.from({ length: 20 }, () =>
          scim.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] })),
        ),
      ),
    );
    expect(await memberIds(group.id)).toEqual([user.id]);
    expect(await memberCount(group.id)).toEqual({ memberCount: 1, rows: 1 });
  });

  it('counts nothing twice when the same member is removed by many PATCHes at once', async () => {
    const kept = users[116]!;
    const removed = users[117]!;
    const group = await createGroup(scim, 'Concurrent double removal', {
      members: [{ value: kept.id }, { value: removed.id }],
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        scim.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${removed.id}"]` })),
      ),
    );
    // Removing a member that is already gone may succeed or report noTarget (RFC 7644 §3.5.2.2); never 5xx.
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    expect(await memberIds(group.id)).toEqual([kept.id]);
    expect(await memberCount(group.id)).toEqual({ memberCount: 1, rows: 1 });
  });
});
