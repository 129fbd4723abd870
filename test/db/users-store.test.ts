import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import { addMembers, findGroup, insertGroup, leaveAllGroups, touchGroup } from '../../src/groups/groups-store.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { parseFilter } from '../../src/schema/filter-parser.js';
import {
  deleteUser,
  existingUserIds,
  findUser,
  insertUser,
  listUsers,
  searchUsers,
  updateUser,
} from '../../src/users/users-store.js';
import type { UserFields, UserRecord } from '../../src/users/users.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * users-store (DESIGN §3, §8): every function takes the organization id, and another organization
 * never sees, changes or deletes a user it does not own.
 */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;
const at = new Date('2026-01-02T03:04:05.000Z');

function fields(userName: string, extra: Partial<UserFields> = {}): UserFields {
  return {
    userName,
    externalId: `ext-${userName}`,
    active: true,
    displayName: `Display ${userName}`,
    attributes: { name: { givenName: 'G', familyName: 'F' } },
    ...extra,
  };
}

async function user(org: Organization, userName: string, extra: Partial<UserFields> = {}): Promise<UserRecord> {
  return insertUser(db, org.id, randomUUID(), fields(userName, extra), at);
}

const window = { limit: 100 };

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
});
afterAll(() => database.drop());

describe('users-store', () => {
  it('inserts a user and finds it again in its own organization, with its SCIM groups on request', async () => {
    const u = await user(a, 'ada@example.com');
    expect(u).toMatchObject({
      orgId: a.id,
      userName: 'ada@example.com',
      externalId: 'ext-ada@example.com',
      active: true,
      version: 1,
    });
    const g = await insertGroup(
      db,
      a.id,
      randomUUID(),
      { displayName: 'Ada group', externalId: null, source: 'scim' },
      at,
    );
    await addMembers(db, a.id, g.id, [{ id: u.id, type: 'User', display: null }]);
    const found = await findUser(db, a.id, u.id, { withGroups: true });
    expect(found).toMatchObject({
      id: u.id,
      userName: 'ada@example.com',
      attributes: { name: { givenName: 'G', familyName: 'F' } },
    });
    expect(found!.groups).toEqual([{ value: g.id, display: 'Ada group', type: 'direct' }]);
    expect(await findUser(db, a.id, 'not-a-uuid')).toBeUndefined();
  });

  it('refuses a second user with the same userName (any case) in one organization but allows it in another', async () => {
    await user(a, 'Twin@Example.com');
    await expect(user(a, 'twin@example.com')).rejects.toMatchObject({ code: '23505' });
    const other = await user(b, 'twin@example.com');
    expect(other.orgId).toBe(b.id);
  });

  it('updates a user and moves its version on', async () => {
    const u = await user(a, 'grace@example.com');
    const updated = await updateUser(
      db,
      a.id,
      u.id,
      fields('grace@example.com', { active: false, displayName: 'Grace H' }),
      new Date(at.getTime() + 1000),
    );
    expect(updated).toMatchObject({ active: false, displayName: 'Grace H', version: 2 });
    expect(updated!.updatedAt.toISOString()).toBe('2026-01-02T03:04:06.000Z');
  });

  it('deletes a user once groups-store has taken it out of its groups, and the group counts follow', async () => {
    const u = await user(a, 'leaving@example.com');
    const g = await insertGroup(
      db,
      a.id,
      randomUUID(),
      { displayName: 'Leaving group', externalId: null, source: 'scim' },
      at,
    );
    await addMembers(db, a.id, g.id, [{ id: u.id, type: 'User', display: null }]);
    await touchGroup(db, a.id, g.id, 1, at);
    expect(await leaveAllGroups(db, a.id, u.id, at)).toEqual([g.id]);
    expect(await deleteUser(db, a.id, u.id)).toBe(true);
    expect(await findUser(db, a.id, u.id)).toBeUndefined();
    expect((await findGroup(db, a.id, g.id))!.memberCount).toBe(0);
    expect(await deleteUser(db, a.id, u.id)).toBe(false);
  });

  it('lists with a filter translated to SQL and a true total', async () => {
    await user(a, 'list-1@example.com');
    await user(a, 'list-2@example.com', { active: false });
    const result = await listUsers(db, a.id, {
      filter: parseFilter('userName sw "list-" and active eq true'),
      window,
      withGroups: false,
    });
    expect(result.rows.map((r) => r.userName)).toEqual(['list-1@example.com']);
    expect(result.total).toBe(1);
  });

  it('filters on groups by value and by display, inside and outside a value path', async () => {
    const member = await user(a, 'grouped@example.com');
    await user(a, 'ungrouped@example.com');
    const g = await insertGroup(
      db,
      a.id,
      randomUUID(),
      { displayName: 'Filter Crew', externalId: null, source: 'scim' },
      at,
    );
    await addMembers(db, a.id, g.id, [{ id: member.id, type: 'User', display: null }]);
    const names = async (filter: string) =>
      (await listUsers(db, a.id, { filter: parseFilter(filter), window, withGroups: false })).rows.map(
        (r) => r.userName,
      );

    for (const filter of [
      'groups.display eq "filter crew"',
      'groups[display eq "Filter Crew"]',
      `groups[value eq "${g.id}"]`,
      `groups eq "${g.id}"`,
      'groups[display sw "filter" and value pr]',
    ]) {
      expect({ filter, names: await names(filter) }).toEqual({ filter, names: ['grouped@example.com'] });
    }
    expect(await names(`groups[display eq "${g.id}"]`)).toEqual([]);
  });

  it('finds existing ids and searches by name for admin pickers', async () => {
    const u = await user(a, 'picker@example.com', { displayName: 'Picky Person' });
    expect([...(await existingUserIds(db, a.id, [u.id, randomUUID(), 'junk']))]).toEqual([u.id]);
    expect((await searchUsers(db, a.id, { text: 'picky', limit: 10 })).map((r) => r.id)).toEqual([u.id]);
  });

  describe('a different organization sees nothing', () => {
    let victim: UserRecord;
    let victimGroupId: string;

    beforeAll(async () => {
      victim = await user(a, 'victim@example.com', { externalId: 'victim-ext', displayName: 'Victim' });
      victimGroupId = (
        await insertGroup(db, a.id, randomUUID(), { displayName: 'Victim group', externalId: null, source: 'scim' }, at)
      ).id;
      await addMembers(db, a.id, victimGroupId, [{ id: victim.id, type: 'User', display: null }]);
      await touchGroup(db, a.id, victimGroupId, 1, at);
    });

    async function victimUntouched(): Promise<void> {
      const row = await findUser(db, a.id, victim.id, { withGroups: true });
      expect(row).toMatchObject({
        userName: 'victim@example.com',
        externalId: 'victim-ext',
        active: true,
        displayName: 'Victim',
        version: 1,
      });
      expect(row!.groups!.map((g) => g.value)).toEqual([victimGroupId]);
      expect((await findGroup(db, a.id, victimGroupId))!.memberCount).toBe(1);
    }

    it('findUser answers undefined for another organization’s user', async () => {
      expect(await findUser(db, b.id, victim.id)).toBeUndefined();
      expect(await findUser(db, b.id, victim.id, { withGroups: true, forUpdate: true })).toBeUndefined();
    });

    it('updateUser changes nothing in another organization and answers undefined', async () => {
      expect(
        await updateUser(db, b.id, victim.id, fields('hijacked@example.com', { active: false }), at),
      ).toBeUndefined();
      await victimUntouched();
    });

    it('deleteUser deletes nothing in another organization, not even memberships, and answers false', async () => {
      expect(await leaveAllGroups(db, b.id, victim.id, at)).toEqual([]);
      expect(await deleteUser(db, b.id, victim.id)).toBe(false);
      await victimUntouched();
    });

    it('listUsers never returns another organization’s users, whatever the filter', async () => {
      const mine = await user(b, 'victim@example.com', { externalId: 'victim-ext' });
      for (const filter of [
        undefined,
        'userName eq "victim@example.com"',
        `id eq "${victim.id}"`,
        'externalId eq "victim-ext"',
        `groups.value eq "${victimGroupId}"`,
        'userName pr or not (userName pr)',
      ]) {
        const result = await listUsers(db, b.id, {
          filter: filter ? parseFilter(filter) : undefined,
          window,
          withGroups: true,
        });
        const ids = result.rows.map((r) => r.id);
        expect(ids).not.toContain(victim.id);
        expect(result.rows.every((r) => r.orgId === b.id)).toBe(true);
        expect(result.rows.flatMap((r) => r.groups ?? []).map((g) => g.value)).not.toContain(victimGroupId);
        if (filter === `id eq "${victim.id}"` || filter === `groups.value eq "${victimGroupId}"`)
          expect(result.total).toBe(0);
        if (filter === 'userName eq "victim@example.com"') expect(ids).toEqual([mine.id]);
      }
    });

    it('existingUserIds does not recognise another organization’s ids', async () => {
      expect((await existingUserIds(db, b.id, [victim.id])).size).toBe(0);
    });

    it('searchUsers never returns another organization’s users', async () => {
      const rows = await searchUsers(db, b.id, { text: 'victim', limit: 100 });
      expect(rows.map((r) => r.id)).not.toContain(victim.id);
      expect((await searchUsers(db, b.id, { limit: 1000 })).map((r) => r.id)).not.toContain(victim.id);
    });
  });
});
