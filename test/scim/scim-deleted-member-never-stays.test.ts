import type { Response } from 'supertest';
import { createGroup, createUser } from '../support/fixtures.js';
import { closeCountingDeadlocks } from '../support/deadlocks.js';
import {
  GROUP_SCHEMA,
  USER_SCHEMA,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * DESIGN §9: the membership graph never holds a member that does not exist. A member is added by a
 * PATCH, a POST or a PUT of a group while another process deletes it (a user, or a group being
 * nested): whichever commits first, the deleted member ends up in no group and every group's
 * memberCount is the number of its member rows. On PostgreSQL the two apps are two connection
 * pools on one database (two keyscope processes).
 */
const TRIALS = 20;

let one: TestApp;
let two: TestApp;
let scimOne: ScimClient;
let scimTwo: ScimClient;

beforeAll(async () => {
  one = await startTestApp();
  two = await startTestApp({
    database: one.database,
    db: await one.database.connectAgain(),
    adminToken: one.adminToken,
  });
  scimOne = await scimClient(one);
  scimTwo = await scimClient(two);
}, 60_000);
let closed = false;
afterAll(async () => {
  if (!closed) await closeCountingDeadlocks(one, two);
});

/**
 * Member rows of `members` whose user or group is gone, and those of `groups` whose memberCount is
 * not their number of member rows (each test looks only at what it made).
 */
async function broken(members: string[], groups: string[]): Promise<{ dangling: string[]; miscounted: string[] }> {
  const dangling = await one.db.query<{ group_id: string; member_id: string }>(
    `SELECT gm.group_id, gm.member_id FROM group_members gm
      WHERE gm.member_id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM users u WHERE gm.member_type = 'User' AND u.id = gm.member_id)
        AND NOT EXISTS (SELECT 1 FROM groups g WHERE gm.member_type = 'Group' AND g.id = gm.member_id)`,
    [members],
  );
  const miscounted = await one.db.query<{ id: string; member_count: number; rows: number }>(
    `SELECT g.id, g.member_count, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS rows FROM groups g
      WHERE g.id = ANY($1::uuid[]) AND g.member_count <> (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`,
    [groups],
  );
  return {
    dangling: dangling.rows.map((r) => `${r.member_id} in ${r.group_id}`),
    miscounted: miscounted.rows.map((r) => `${r.id}: memberCount ${r.member_count}, ${r.rows} rows`),
  };
}

async function user(name: string): Promise<string> {
  return (await createUser(scimOne, { schemas: [USER_SCHEMA], userName: `${name}@example.com` })).id;
}

/** The member was added and then deleted (the add committed first), or the add was refused because it was gone. */
function expectOneOrder(deleted: Response, added: Response): void {
  expect(deleted.status).toBe(204);
  expect([200, 201, 204, 400]).toContain(added.status);
  if (added.status === 400) expect(added.body.scimType).toBe('invalidValue');
}

/** Members a group lists that answer 404. */
async function membersThatAreGone(groupId: string): Promise<string[]> {
  const res = await scimOne.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  const members = (res.body.members as { value: string; type: string }[] | undefined) ?? [];
  const gone: string[] = [];
  for (const m of members) {
    if ((await scimOne.get(`/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`)).status === 404)
      gone.push(m.value);
  }
  if (members.length !== res.body.memberCount && res.body.memberCount !== undefined)
    gone.push(`memberCount ${res.body.memberCount}`);
  return gone;
}

describe('a member deleted while it is being added', () => {
  it(`DELETE /Users/:id racing a group PATCH that adds the user leaves no trace of the user (${TRIALS} trials)`, async () => {
    const group = await createGroup(scimOne, 'Race PATCH');
    const other = await createGroup(scimOne, 'Race PATCH other');
    const deletedIds: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = await user(`patch-race-${trial}`);
      const bystander = await user(`patch-bystander-${trial}`);
      deletedIds.push(id);
      // Every other trial, the user is already in both groups, and the PATCH adds it again next to
      // a new member: the deletion must then lock the group the PATCH holds.
      if (trial % 2) {
        for (const g of [group, other]) {
          expect(
            (await scimOne.patch(`/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: id }] })))
              .status,
          ).toBe(200);
        }
      }
      const [deleted, added] = await Promise.all([
        scimOne.delete(`/Users/${id}`),
        scimTwo
          .patch(
            `/Groups/${group.id}`,
            patchOp({ op: 'add', path: 'members', value: [{ value: bystander }, { value: id }] }),
          )
          .set('Prefer', 'return=minimal'),
      ]);
      expectOneOrder(deleted, added);
    }
    expect(await broken(deletedIds, [group.id, other.id])).toEqual({ dangling: [], miscounted: [] });
    expect(await membersThatAreGone(group.id)).toEqual([]);
  });

  it(`DELETE /Users/:id racing POST /Groups and PUT /Groups with the user among the members (${TRIALS} trials)`, async () => {
    const replaced = await createGroup(scimOne, 'Race PUT');
    const deletedIds: string[] = [];
    const groupIds = [replaced.id];
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = await user(`post-race-${trial}`);
      const next = await user(`put-race-${trial}`);
      deletedIds.push(id, next);
      const [deleted, created] = await Promise.all([
        scimOne.delete(`/Users/${id}`),
        scimTwo.post('/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: `Race POST ${trial}`,
          members: [{ value: id }],
        }),
      ]);
      expectOneOrder(deleted, created);
      if (created.status === 201) groupIds.push(created.body.id as string);
      const [deletedToo, put] = await Promise.all([
        scimOne.delete(`/Users/${next}`),
        scimTwo.put(`/Groups/${replaced.id}`, {
          schemas: [GROUP_SCHEMA],
          displayName: 'Race PUT',
          members: [{ value: next }],
        }),
      ]);
      expectOneOrder(deletedToo, put);
    }
    expect(await broken(deletedIds, groupIds)).toEqual({ dangling: [], miscounted: [] });
  });

  it(`DELETE /Groups/:id racing a PATCH that nests that group in another (${TRIALS} trials)`, async () => {
    const parent = await createGroup(scimOne, 'Race parent');
    const deletedIds: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = await createGroup(scimOne, `Race child ${trial}`);
      deletedIds.push(child.id);
      const [deleted, added] = await Promise.all([
        scimOne.delete(`/Groups/${child.id}`),
        scimTwo
          .patch(`/Groups/${parent.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: child.id }] }))
          .set('Prefer', 'return=minimal'),
      ]);
      expectOneOrder(deleted, added);
    }
    expect(await broken(deletedIds, [parent.id])).toEqual({ dangling: [], miscounted: [] });
    expect(await membersThatAreGone(parent.id)).toEqual([]);
  });

  it(`DELETE /Groups/:id racing a PATCH that nests it and one that nests another group in it (${TRIALS} trials)`, async () => {
    const parent = await createGroup(scimOne, 'Race middle parent');
    const deletedIds: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const middle = await createGroup(scimOne, `Race middle ${trial}`);
      const child = await createGroup(scimOne, `Race middle child ${trial}`);
      deletedIds.push(middle.id);
      const nest = (scim: ScimClient, into: string, member: string) =>
        scim
          .patch(`/Groups/${into}`, patchOp({ op: 'add', path: 'members', value: [{ value: member }] }))
          .set('Prefer', 'return=minimal');
      const [intoParent, intoMiddle, deleted] = await Promise.all([
        nest(scimTwo, parent.id, middle.id),
        nest(scimOne, middle.id, child.id),
        scimTwo.delete(`/Groups/${middle.id}`),
      ]);
      expect(deleted.status).toBe(204);
      for (const r of [intoParent, intoMiddle]) expect([204, 400, 404]).toContain(r.status);
    }
    expect(await broken(deletedIds, [parent.id])).toEqual({ dangling: [], miscounted: [] });
  });

  it(`DELETE /Groups/:id racing POST /Groups that nests it (${TRIALS} trials)`, async () => {
    const deletedIds: string[] = [];
    const groupIds: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = await createGroup(scimOne, `Race nested child ${trial}`);
      deletedIds.push(child.id);
      const [deleted, created] = await Promise.all([
        scimOne.delete(`/Groups/${child.id}`),
        scimTwo.post('/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: `Race nesting parent ${trial}`,
          members: [{ value: child.id }],
        }),
      ]);
      expectOneOrder(deleted, created);
      if (created.status === 201) groupIds.push(created.body.id as string);
    }
    expect(await broken(deletedIds, groupIds)).toEqual({ dangling: [], miscounted: [] });
  });

  // Last: it closes both apps. The Db layer retries a deadlock's victim, so only the count shows one.
  it('took every lock in one order: PostgreSQL detected no deadlock', async () => {
    closed = true;
    expect(await closeCountingDeadlocks(one, two)).toBe(0);
  });
});
