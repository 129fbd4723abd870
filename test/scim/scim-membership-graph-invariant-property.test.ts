import fc from 'fast-check';
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
 * DESIGN §9, as a property: whatever membership changes two processes make at the same time
 * (nesting, adding users, replacing members, deleting users and groups), afterwards no group reaches
 * itself, no member row names a user or group that is gone, and every group's memberCount is its
 * number of member rows. Each run sends a random batch of such requests at once, half through each
 * process, on fresh groups and users.
 */
const GROUPS = 4;
const USERS = 3;

type Op =
  | { kind: 'nest'; parent: number; child: number; via: number }
  | { kind: 'addUser'; group: number; user: number; via: number }
  | { kind: 'put'; group: number; users: number[]; groups: number[]; via: number }
  | { kind: 'deleteUser'; user: number; via: number }
  | { kind: 'deleteGroup'; group: number; via: number };

const group = fc.integer({ min: 0, max: GROUPS - 1 });
const user = fc.integer({ min: 0, max: USERS - 1 });
const via = fc.integer({ min: 0, max: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('nest' as const), parent: group, child: group, via }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('addUser' as const), group, user, via }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      group,
      users: fc.uniqueArray(user, { maxLength: USERS }),
      groups: fc.uniqueArray(group, { maxLength: 2 }),
      via,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteUser' as const), user, via }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), group, via }) },
);

let one: TestApp;
let two: TestApp;
let clients: ScimClient[];
let run = 0;

beforeAll(async () => {
  one = await startTestApp();
  two = await startTestApp({
    database: one.database,
    db: await one.database.connectAgain(),
    adminToken: one.adminToken,
  });
  clients = [await scimClient(one), await scimClient(two)];
}, 60_000);
let closed = false;
afterAll(async () => {
  if (!closed) await closeCountingDeadlocks(one, two);
});

async function violations(groupIds: string[], memberIds: string[]): Promise<string[]> {
  const { rows: cycles } = await one.db.query<{ id: string }>(
    `WITH RECURSIVE reach(start, id) AS (
       SELECT group_id, member_id FROM group_members WHERE member_type = 'Group' AND group_id = ANY($1::uuid[])
       UNION
       SELECT r.start, gm.member_id FROM reach r JOIN group_members gm ON gm.group_id = r.id AND gm.member_type = 'Group'
     ) SELECT DISTINCT start AS id FROM reach WHERE start = id`,
    [groupIds],
  );
  const { rows: dangling } = await one.db.query<{ member_id: string }>(
    `SELECT gm.member_id FROM group_members gm WHERE gm.member_id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM users u WHERE gm.member_type = 'User' AND u.id = gm.member_id)
        AND NOT EXISTS (SELECT 1 FROM groups g WHERE gm.member_type = 'Group' AND g.id = gm.member_id)`,
    [memberIds],
  );
  const { rows: miscounted } = await one.db.query<{ id: string }>(
    `SELECT g.id FROM groups g WHERE g.id = ANY($1::uuid[])
        AND g.member_count <> (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`,
    [groupIds],
  );
  return [
    ...cycles.map((r) => `group ${groupIds.indexOf(r.id)} contains itself`),
    ...dangling.map((r) => `${r.member_id} is gone but still a member`),
    ...miscounted.map((r) => `group ${groupIds.indexOf(r.id)} has a wrong memberCount`),
  ];
}

const groupName = (g: number) => `g${g} run ${run}`;

function send(ops: Op[], groups: string[], users: string[]): Promise<Response>[] {
  const members = (ids: string[]) => ids.map((value) => ({ value }));
  return ops.map((o) => {
    const scim = clients[o.via]!;
    switch (o.kind) {
      case 'nest':
        return scim.patch(
          `/Groups/${groups[o.parent]}`,
          patchOp({ op: 'add', path: 'members', value: members([groups[o.child]!]) }),
        );
      case 'addUser':
        return scim.patch(
          `/Groups/${groups[o.group]}`,
          patchOp({ op: 'add', path: 'members', value: members([users[o.user]!]) }),
        );
      case 'put':
        return scim.put(`/Groups/${groups[o.group]}`, {
          schemas: [GROUP_SCHEMA],
          displayName: groupName(o.group),
          members: members([...o.users.map((u) => users[u]!), ...o.groups.map((g) => groups[g]!)]),
        });
      case 'deleteUser':
        return scim.delete(`/Users/${users[o.user]}`);
      case 'deleteGroup':
        return scim.delete(`/Groups/${groups[o.group]}`);
      default:
        throw new Error(`unknown operation ${JSON.stringify(o satisfies never)}`);
    }
  });
}

describe('the membership graph under concurrent changes from two processes', () => {
  it('never has a cycle, a member that is gone, or a wrong memberCount', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 10 }), async (ops) => {
        run++;
        const groups: string[] = [];
        for (let g = 0; g < GROUPS; g++) groups.push((await createGroup(clients[0]!, groupName(g))).id);
        const users: string[] = [];
        for (let u = 0; u < USERS; u++)
          users.push(
            (await createUser(clients[0]!, { schemas: [USER_SCHEMA], userName: `u${u}-run${run}@example.com` })).id,
          );

        const responses = await Promise.all(send(ops, groups, users));
        // Refusals are 400 (a cycle, a member that is gone) or 404 (a group or user that is gone).
        expect(responses.map((r) => r.status).filter((s) => ![200, 201, 204, 400, 404].includes(s))).toEqual([]);
        expect(await violations(groups, [...groups, ...users])).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
  // Last: it closes both apps. The Db layer retries a deadlock's victim, so only the count shows one.
  it('took every lock in one order: PostgreSQL detected no deadlock', async () => {
    closed = true;
    expect(await closeCountingDeadlocks(one, two)).toBe(0);
  });
});
