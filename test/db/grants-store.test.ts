import { randomUUID } from 'node:crypto';
import { ancestorGroupIds, directGroupIdsOfMember, rulesOfGroups } from '../../src/groups/grants-store.js';
import { organizationName } from '../../src/orgs/orgs-store.js';
import type { Db } from '../../src/db/db.js';
import { addMembers, insertGroup, replaceRules } from '../../src/groups/groups-store.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { insertUser } from '../../src/users/users-store.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/** grants-store (DESIGN §5, §8): what a key may do is read from its own organization's groups only. */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;
const at = new Date('2026-04-01T00:00:00.000Z');
let top: string;
let mid: string;
let leaf: string;
let member: string;

async function group(org: Organization, name: string): Promise<string> {
  return (await insertGroup(db, org.id, randomUUID(), { displayName: name, externalId: null, source: 'scim' }, at)).id;
}

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
  [top, mid, leaf] = [await group(a, 'Top'), await group(a, 'Mid'), await group(a, 'Leaf')];
  member = (
    await insertUser(
      db,
      a.id,
      randomUUID(),
      { userName: 'member@example.com', externalId: null, active: true, displayName: null, attributes: {} },
      at,
    )
  ).id;
  await addMembers(db, a.id, top, [{ id: mid, type: 'Group', display: null }]);
  await addMembers(db, a.id, mid, [{ id: leaf, type: 'Group', display: null }]);
  await addMembers(db, a.id, leaf, [{ id: member, type: 'User', display: null }]);
  await replaceRules(db, a.id, top, [{ role: 'admin' }]);
  await replaceRules(db, a.id, leaf, [{ permission: 'keys:read', resources: ['r1'] }]);
});
afterAll(() => database.drop());

describe('grants-store', () => {
  it('finds a group and every group it is nested in, transitively', async () => {
    expect((await ancestorGroupIds(db, a.id, [leaf])).sort()).toEqual([top, mid, leaf].sort());
    expect(await ancestorGroupIds(db, a.id, [top])).toEqual([top]);
    expect(await ancestorGroupIds(db, a.id, [])).toEqual([]);
  });

  it('reads the rules of groups and the direct groups of a member', async () => {
    const rules = await rulesOfGroups(db, a.id, [top, leaf]);
    expect(rules).toHaveLength(2);
    expect(rules).toEqual(
      expect.arrayContaining([
        { group_id: top, permission: null, role: 'admin', resources: null, condition: null },
        { group_id: leaf, permission: 'keys:read', role: null, resources: ['r1'], condition: null },
      ]),
    );
    expect(await directGroupIdsOfMember(db, a.id, member)).toEqual([leaf]);
    expect(await directGroupIdsOfMember(db, a.id, leaf)).toEqual([mid]);
  });

  it('names an organization by its id', async () => {
    expect(await organizationName(db, a.id)).toBe(a.name);
    expect(await organizationName(db, randomUUID())).toBeUndefined();
  });

  describe('a different organization sees nothing', () => {
    it('ancestorGroupIds neither returns nor walks through another organization’s groups', async () => {
      expect(await ancestorGroupIds(db, b.id, [leaf])).toEqual([]);
      expect(await ancestorGroupIds(db, b.id, [top, mid, leaf])).toEqual([]);
    });

    it('an organization’s own group nested into another organization’s group by a stray row gains nothing from it', async () => {
      const own = await group(b, 'Own');
      // A membership row that claims B's group sits in A's group: the walk must not cross over.
      await db.query('INSERT INTO group_members (org_id, group_id, member_id, member_type) VALUES ($1, $2, $3, $4)', [
        a.id,
        top,
        own,
        'Group',
      ]);
      expect(await ancestorGroupIds(db, b.id, [own])).toEqual([own]);
    });

    it('rulesOfGroups reads none of another organization’s rules', async () => {
      expect(await rulesOfGroups(db, b.id, [top, mid, leaf])).toEqual([]);
    });

    it('directGroupIdsOfMember finds none of another organization’s memberships', async () => {
      expect(await directGroupIdsOfMember(db, b.id, member)).toEqual([]);
      expect(await directGroupIdsOfMember(db, b.id, leaf)).toEqual([]);
    });
  });
});
