import type { Response } from 'supertest';
import { createGroup } from '../support/fixtures.js';
import { closeCountingDeadlocks } from '../support/deadlocks.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * DESIGN §9: the membership graph never has a cycle, whatever the interleaving, on one process or
 * many. Two PATCHes that each nest one group in the other (X adds Y, Y adds X) each pass the cycle
 * check when it reads only what was committed before either wrote: at most one may succeed.
 * On PostgreSQL the two apps are two connection pools on one database (two keyscope processes).
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

const nest = (scim: ScimClient, parent: string, child: string) =>
  scim
    .patch(`/Groups/${parent}`, patchOp({ op: 'add', path: 'members', value: [{ value: child }] }))
    .set('Prefer', 'return=minimal');

const succeeded = (responses: Response[]) => responses.filter((r) => r.status === 200 || r.status === 204).length;

/** Group-in-group edges among `ids`, as stored. */
async function edges(ids: string[]): Promise<string[]> {
  const { rows } = await one.db.query<{ group_id: string; member_id: string }>(
    `SELECT group_id, member_id FROM group_members WHERE member_type = 'Group' AND group_id = ANY($1::uuid[]) ORDER BY group_id, member_id`,
    [ids],
  );
  return rows.map((r) => `${ids.indexOf(r.group_id)}>${ids.indexOf(r.member_id)}`);
}

/** Every group that reaches itself through nesting (empty when the graph is acyclic). */
async function groupsInACycle(): Promise<string[]> {
  const { rows } = await one.db.query<{ id: string }>(
    `WITH RECURSIVE reach(start, id) AS (
       SELECT group_id, member_id FROM group_members WHERE member_type = 'Group'
       UNION
       SELECT r.start, gm.member_id FROM reach r JOIN group_members gm ON gm.group_id = r.id AND gm.member_type = 'Group'
     ) SELECT DISTINCT start AS id FROM reach WHERE start = id`,
  );
  return rows.map((r) => r.id);
}

describe('nesting two groups in each other at the same time', () => {
  it(`lets at most one of "X adds Y" and "Y adds X" through, from two processes (${TRIALS} trials)`, async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const x = await createGroup(scimOne, `Cycle X ${trial}`);
      const y = await createGroup(scimOne, `Cycle Y ${trial}`);
      const responses = await Promise.all([nest(scimOne, x.id, y.id), nest(scimTwo, y.id, x.id)]);
      // The loser is refused as a cycle (400 invalidValue), never a server error.
      for (const r of responses) expect([200, 204, 400]).toContain(r.status);
      for (const r of responses.filter((res) => res.status === 400)) expect(r.body.scimType).toBe('invalidValue');
      outcomes.push(`${succeeded(responses)} ok, edges ${(await edges([x.id, y.id])).join(' ') || 'none'}`);
    }
    expect(outcomes.filter((o) => !o.startsWith('1 ok'))).toEqual([]);
    expect(await groupsInACycle()).toEqual([]);
  });

  it(`closes no three-group ring when X adds Y, Y adds Z and Z adds X at once (${TRIALS} trials)`, async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const [x, y, z] = [
        await createGroup(scimOne, `Ring X ${trial}`),
        await createGroup(scimOne, `Ring Y ${trial}`),
        await createGroup(scimOne, `Ring Z ${trial}`),
      ];
      const responses = await Promise.all([
        nest(scimOne, x.id, y.id),
        nest(scimTwo, y.id, z.id),
        nest(trial % 2 ? scimOne : scimTwo, z.id, x.id),
      ]);
      for (const r of responses) expect([200, 204, 400]).toContain(r.status);
      outcomes.push(`${succeeded(responses)} ok, edges ${(await edges([x.id, y.id, z.id])).join(' ') || 'none'}`);
    }
    expect(outcomes.filter((o) => !o.startsWith('2 ok'))).toEqual([]);
    expect(await groupsInACycle()).toEqual([]);
  });

  it('still refuses a cycle made in two steps, one after the other', async () => {
    const x = await createGroup(scimOne, 'Sequential X');
    const y = await createGroup(scimOne, 'Sequential Y');
    expect((await nest(scimOne, x.id, y.id)).status).toBe(204);
    const refused = await nest(scimTwo, y.id, x.id);
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidValue');
    expect(await edges([x.id, y.id])).toEqual(['0>1']);
  });

  // Last: it closes both apps. The Db layer retries a deadlock's victim, so only the count shows one.
  it('took every lock in one order: PostgreSQL detected no deadlock', async () => {
    closed = true;
    expect(await closeCountingDeadlocks(one, two)).toBe(0);
  });
});
