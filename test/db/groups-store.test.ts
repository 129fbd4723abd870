import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import {
  addMembers,
  classifyMembers,
  classifyUsersUnlessGroups,
  deleteGroup,
  findGroup,
  findGroupForAdmin,
  insertGroup,
  leaveAllGroups,
  listGroups,
  listGroupsForAdmin,
  membersPage,
  removeAllMembers,
  removeMembers,
  removeMembersNotIn,
  removeMembersWhere,
  replaceRules,
  rulesOfGroup,
  touchGroup,
  updateGroup,
  updateLocalGroup,
  wouldCreateCycle,
} from '../../src/groups/groups-store.js';
import type { GroupRecord } from '../../src/groups/groups.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { parseFilter } from '../../src/schema/filter-parser.js';
import { insertUser } from '../../src/users/users-store.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * groups-store (DESIGN §3, §8): groups, memberships and rules of one organization are invisible to,
 * and unchangeable by, calls made with another organization's id.
 */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;
const at = new Date('2026-02-03T04:05:06.000Z');
const later = new Date('2026-02-03T05:00:00.000Z');
const window = { limit: 100 };

async function group(org: Organization, displayName: string, source: 'scim' | 'local' = 'scim'): Promise<GroupRecord> {
  return insertGroup(
    db,
    org.id,
    randomUUID(),
    { displayName, externalId: `ext-${displayName}`, source, description: `about ${displayName}` },
    at,
  );
}

async function userId(org: Organization, userName: string): Promise<string> {
  return (
    await insertUser(
      db,
      org.id,
      randomUUID(),
      { userName, externalId: null, active: true, displayName: null, attributes: {} },
      at,
    )
  ).id;
}

/** Adds members the way the services do: the rows, then the group's count. */
async function join(
  org: Organization,
  groupId: string,
  members: { id: string; type: 'User' | 'Group' }[],
): Promise<void> {
  const added = await addMembers(
    db,
    org.id,
    groupId,
    members.map((m) => ({ ...m, display: null })),
  );
  await touchGroup(db, org.id, groupId, added.length, at);
}

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
});
afterAll(() => database.drop());

describe('groups-store', () => {
  it('inserts a group and finds it by id (with members) and by name in any case', async () => {
    const g = await group(a, 'Engineering');
    const u = await userId(a, 'eng@example.com');
    await join(a, g.id, [{ id: u, type: 'User' }]);
    const found = await findGroup(db, a.id, g.id, { withMembers: true });
    expect(found).toMatchObject({
      orgId: a.id,
      displayName: 'Engineering',
      source: 'scim',
      memberCount: 1,
      version: 2,
    });
    expect(found!.members).toEqual([{ value: u, type: 'User', display: 'eng@example.com' }]);
    expect(await findGroup(db, a.id, g.id, { source: 'local' })).toBeUndefined();
    expect(await findGroup(db, a.id, 'not-a-uuid')).toBeUndefined();
  });

  it('refuses a second group with the same displayName (any case) in one organization but allows it in another', async () => {
    await group(a, 'Twins');
    await expect(group(a, 'TWINS')).rejects.toMatchObject({ code: '23505' });
    expect((await group(b, 'twins')).orgId).toBe(b.id);
  });

  it('renames a group and moves its version on', async () => {
    const g = await group(a, 'Old name');
    const updated = await updateGroup(db, a.id, g.id, { displayName: 'New name', externalId: 'x' }, later);
    expect(updated).toMatchObject({ displayName: 'New name', externalId: 'x', version: 2 });
    expect(updated!.updatedAt.toISOString()).toBe(later.toISOString());
  });

  it('adds only new members, removes by id, by filter, all but some, and all', async () => {
    const g = await group(a, 'Membership');
    const child = await group(a, 'Membership child');
    const [u1, u2, u3] = [
      await userId(a, 'm1@example.com'),
      await userId(a, 'm2@example.com'),
      await userId(a, 'm3@example.com'),
    ];
    expect(
      (
        await addMembers(db, a.id, g.id, [
          { id: u1, type: 'User', display: null },
          { id: child.id, type: 'Group', display: null },
        ])
      ).map((m) => m.id),
    ).toEqual([u1, child.id]);
    expect(
      (
        await addMembers(db, a.id, g.id, [
          { id: u1, type: 'User', display: null },
          { id: u2, type: 'User', display: null },
          { id: u3, type: 'User', display: null },
        ])
      ).map((m) => m.id),
    ).toEqual([u2, u3]);
    expect(await removeMembers(db, a.id, g.id, [u1, randomUUID(), 'junk'])).toEqual([{ id: u1, type: 'User' }]);
    expect(await removeMembersWhere(db, a.id, g.id, parseFilter('type eq "Group"'))).toEqual([
      { id: child.id, type: 'Group' },
    ]);
    expect(await removeMembersNotIn(db, a.id, g.id, [u2])).toEqual([{ id: u3, type: 'User' }]);
    expect(await removeAllMembers(db, a.id, g.id)).toEqual([{ id: u2, type: 'User' }]);
    expect(await membersPage(db, a.id, g.id, undefined, 10)).toEqual([]);
  });

  it('classifies ids as users or SCIM groups, ignoring local groups and unknown ids', async () => {
    const u = await userId(a, 'classify@example.com');
    const g = await group(a, 'Classify');
    const local = await group(a, 'Classify local', 'local');
    const types = await classifyMembers(db, a.id, [u, g.id, local.id, randomUUID(), 'junk']);
    expect(Object.fromEntries(types)).toEqual({ [u]: 'User', [g.id]: 'Group' });
  });

  it('classifies users alone in one statement, and says when a group is among the ids', async () => {
    const u = await userId(a, 'classify-users@example.com');
    const g = await group(a, 'Classify users');
    const local = await group(a, 'Classify users local', 'local');
    expect(
      Object.fromEntries((await classifyUsersUnlessGroups(db, a.id, [u, local.id, randomUUID(), 'junk']))!),
    ).toEqual({ [u]: 'User' });
    expect(await classifyUsersUnlessGroups(db, a.id, [u, g.id])).toBeUndefined();
    expect((await classifyUsersUnlessGroups(db, a.id, []))?.size).toBe(0);
  });

  it('detects a nesting cycle by walking up from the group', async () => {
    const top = await group(a, 'Cycle top');
    const mid = await group(a, 'Cycle mid');
    await join(a, top.id, [{ id: mid.id, type: 'Group' }]);
    expect(await wouldCreateCycle(db, a.id, mid.id, [top.id])).toBe(top.id);
    expect(await wouldCreateCycle(db, a.id, mid.id, [mid.id])).toBe(mid.id);
    expect(await wouldCreateCycle(db, a.id, top.id, [mid.id])).toBeUndefined();
  });

  it('deletes a group: it leaves its parents (whose counts follow) and its rules go with it', async () => {
    const parent = await group(a, 'Delete parent');
    const g = await group(a, 'Delete me');
    await join(a, parent.id, [{ id: g.id, type: 'Group' }]);
    await replaceRules(db, a.id, g.id, [{ permission: 'keys:read' }]);
    expect(await deleteGroup(db, a.id, g.id, later)).toEqual([parent.id]);
    expect(await findGroup(db, a.id, g.id)).toBeUndefined();
    expect((await findGroup(db, a.id, parent.id))!.memberCount).toBe(0);
    expect(await rulesOfGroup(db, a.id, g.id)).toEqual([]);
    expect(await deleteGroup(db, a.id, g.id, later)).toBeUndefined();
  });

  it('replaces rules in order and reads them back', async () => {
    const g = await group(a, 'Rules');
    await replaceRules(db, a.id, g.id, [
      { role: 'developer' },
      { permission: 'projects:read', resources: ['alpha', 'beta'] },
    ]);
    expect(await rulesOfGroup(db, a.id, g.id)).toEqual([
      { role: 'developer' },
      { permission: 'projects:read', resources: ['alpha', 'beta'] },
    ]);
    await replaceRules(db, a.id, g.id, [{ permission: 'keys:read' }]);
    expect(await rulesOfGroup(db, a.id, g.id)).toEqual([{ permission: 'keys:read' }]);
  });

  it('shows groups to admins with rules, parents and live keys, and updates local groups only', async () => {
    const local = await group(a, 'Admin view local', 'local');
    const scimGroup = await group(a, 'Admin view scim');
    await replaceRules(db, a.id, local.id, [{ role: 'viewer' }]);
    const row = await findGroupForAdmin(db, a.id, local.id, at);
    expect(row).toMatchObject({
      id: local.id,
      display_name: 'Admin view local',
      source: 'local',
      rules: [{ permission: null, role: 'viewer', resources: null }],
      parents: [],
      keys: [],
    });
    expect((await listGroupsForAdmin(db, a.id, { text: 'admin view', limit: 10 }, at)).map((r) => r.id)).toEqual([
      local.id,
      scimGroup.id,
    ]);
    expect(await updateLocalGroup(db, a.id, local.id, { description: 'changed' }, later)).toBe(true);
    expect(await updateLocalGroup(db, a.id, scimGroup.id, { description: 'changed' }, later)).toBe(false);
    expect((await findGroup(db, a.id, local.id))!.description).toBe('changed');
  });

  describe('a different organization sees nothing', () => {
    let victim: GroupRecord;
    let victimChild: GroupRecord;
    let victimLocal: GroupRecord;
    let victimUser: string;

    beforeAll(async () => {
      victim = await group(a, 'Victim');
      victimChild = await group(a, 'Victim child');
      victimLocal = await group(a, 'Victim local', 'local');
      victimUser = await userId(a, 'victim-member@example.com');
      await join(a, victim.id, [
        { id: victimUser, type: 'User' },
        { id: victimChild.id, type: 'Group' },
      ]);
      await replaceRules(db, a.id, victim.id, [{ role: 'admin' }]);
    });

    /** The victim group as organization A sees it, unchanged by anything organization B did. */
    async function victimUntouched(): Promise<void> {
      const row = await findGroup(db, a.id, victim.id, { withMembers: true });
      expect(row).toMatchObject({ displayName: 'Victim', externalId: 'ext-Victim', memberCount: 2, version: 2 });
      expect(row!.members!.map((m) => m.value).sort()).toEqual([victimUser, victimChild.id].sort());
      expect(await rulesOfGroup(db, a.id, victim.id)).toEqual([{ role: 'admin' }]);
      const { rows } = await db.query<{ org_id: string }>(
        'SELECT org_id FROM group_members WHERE group_id = $1 UNION ALL SELECT org_id FROM group_rules WHERE group_id = $1',
        [victim.id],
      );
      expect(rows.every((r) => r.org_id === a.id)).toBe(true);
    }

    it('findGroup and findGroupForAdmin answer undefined', async () => {
      expect(await findGroup(db, b.id, victim.id, { withMembers: true, forUpdate: true })).toBeUndefined();
      expect(await findGroupForAdmin(db, b.id, victim.id, at)).toBeUndefined();
    });

    it('listGroups and listGroupsForAdmin never return another organization’s groups, whatever the filter', async () => {
      for (const filter of [
        undefined,
        'displayName eq "Victim"',
        `id eq "${victim.id}"`,
        `members.value eq "${victimUser}"`,
        'displayName pr',
      ]) {
        const result = await listGroups(db, b.id, {
          filter: filter ? parseFilter(filter) : undefined,
          window,
          withMembers: true,
        });
        expect(result.rows.map((r) => r.id)).not.toContain(victim.id);
        expect(result.rows.every((r) => r.orgId === b.id)).toBe(true);
      }
      expect((await listGroupsForAdmin(db, b.id, { text: 'victim', limit: 100 }, at)).map((r) => r.id)).toEqual([]);
    });

    it('rulesOfGroup and membersPage answer empty', async () => {
      expect(await rulesOfGroup(db, b.id, victim.id)).toEqual([]);
      expect(await membersPage(db, b.id, victim.id, undefined, 100)).toEqual([]);
    });

    it('classifyMembers and classifyUsersUnlessGroups do not recognise another organization’s users or groups', async () => {
      expect((await classifyMembers(db, b.id, [victimUser, victim.id, victimChild.id])).size).toBe(0);
      expect((await classifyUsersUnlessGroups(db, b.id, [victimUser, victim.id, victimChild.id]))?.size).toBe(0);
    });

    it('wouldCreateCycle does not follow another organization’s nesting', async () => {
      expect(await wouldCreateCycle(db, b.id, victimChild.id, [victim.id])).toBeUndefined();
    });

    it('updateGroup, touchGroup and updateLocalGroup change nothing and say so', async () => {
      expect(
        await updateGroup(db, b.id, victim.id, { displayName: 'Hijacked', externalId: null }, later),
      ).toBeUndefined();
      expect(await touchGroup(db, b.id, victim.id, 5, later)).toBeUndefined();
      expect(await updateLocalGroup(db, b.id, victimLocal.id, { displayName: 'Hijacked local' }, later)).toBe(false);
      expect((await findGroup(db, a.id, victimLocal.id))!.displayName).toBe('Victim local');
      await victimUntouched();
    });

    it('removeMembers, removeMembersWhere, removeMembersNotIn and removeAllMembers remove nothing', async () => {
      expect(await removeMembers(db, b.id, victim.id, [victimUser, victimChild.id])).toEqual([]);
      expect(await removeMembersWhere(db, b.id, victim.id, parseFilter('value pr'))).toEqual([]);
      expect(await removeMembersNotIn(db, b.id, victim.id, [])).toEqual([]);
      expect(await removeAllMembers(db, b.id, victim.id)).toEqual([]);
      await victimUntouched();
    });

    it('leaveAllGroups takes nobody out of another organization’s groups', async () => {
      expect(await leaveAllGroups(db, b.id, victimUser, later)).toEqual([]);
      expect(await leaveAllGroups(db, b.id, victimChild.id, later)).toEqual([]);
      await victimUntouched();
    });

    it('deleteGroup deletes nothing in another organization and answers undefined', async () => {
      expect(await deleteGroup(db, b.id, victim.id, later)).toBeUndefined();
      expect(await deleteGroup(db, b.id, victimChild.id, later)).toBeUndefined();
      await victimUntouched();
    });

    it('addMembers adds nothing to another organization’s group', async () => {
      const target = await group(a, 'Victim add target');
      await join(a, target.id, [{ id: victimUser, type: 'User' }]);
      const outsider = await userId(b, 'outsider@example.com');
      const added = await addMembers(db, b.id, target.id, [{ id: outsider, type: 'User', display: null }]);
      expect(added).toEqual([]);
      const { rows } = await db.query<{ member_id: string; org_id: string }>(
        'SELECT member_id, org_id FROM group_members WHERE group_id = $1',
        [target.id],
      );
      expect(rows).toEqual([{ member_id: victimUser, org_id: a.id }]);
    });

    it('replaceRules on another organization’s group leaves its rules alone', async () => {
      const target = await group(a, 'Victim rules target');
      await replaceRules(db, a.id, target.id, [{ role: 'viewer' }, { permission: 'keys:read' }]);
      await expect(replaceRules(db, b.id, target.id, [{ role: 'admin' }])).resolves.toBeUndefined();
      expect(await rulesOfGroup(db, a.id, target.id)).toEqual([{ role: 'viewer' }, { permission: 'keys:read' }]);
    });

    it('replaceRules on another organization’s rule-less group writes no rows and never blocks that organization’s own next change', async () => {
      const target = await group(a, 'Victim without rules');
      await replaceRules(db, b.id, target.id, [{ role: 'admin' }]);
      await replaceRules(db, a.id, target.id, [{ permission: 'keys:read' }]);
      expect(await rulesOfGroup(db, a.id, target.id)).toEqual([{ permission: 'keys:read' }]);
      const { rows } = await db.query<{ org_id: string }>('SELECT org_id FROM group_rules WHERE group_id = $1', [
        target.id,
      ]);
      expect(rows).toEqual([{ org_id: a.id }]);
    });

    it('after all of the above, the victim group is exactly as organization A left it', async () => {
      await victimUntouched();
    });
  });
});
