import type { KeyRow } from '../../src/keys/keys.js';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import { addMembers, insertGroup } from '../../src/groups/groups-store.js';
import {
  countLiveKeys,
  findBootstrapKeysForAuth,
  findKey,
  findKeyForAuth,
  insertKey,
  keyIdsOfGroup,
  listKeys,
  liveKeyIdsWhere,
  revokeKeys,
  touchLastUsed,
  updateKeyFields,
  type NewKeyRow,
} from '../../src/keys/keys-store.js';
import { newKeyId } from '../../src/principals/token.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { insertUser, updateUser } from '../../src/users/users-store.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * keys-store (DESIGN §3, §4, §8): every read and write is filtered by the organization, except the
 * two authentication reads, which know only the key id and must hand back the row's own org_id.
 */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;
const now = new Date('2026-03-01T12:00:00.000Z');
const DAY = 24 * 3600 * 1000;
const creator = { id: 'key:creator', name: 'key "creator"' };

async function key(org: Organization, fields: Partial<NewKeyRow> = {}): Promise<string> {
  const id = newKeyId();
  await insertKey(db, {
    orgId: org.id,
    id,
    name: `key ${id.slice(0, 4)}`,
    description: '',
    kind: 'service',
    groupId: null,
    ownerUserId: null,
    scim: false,
    permissions: null,
    secretHash: '$2b$04$notarealhashnotarealhashnotarealhashnotarealhashnotar',
    fragment: `ksk_${id}…abcd`,
    bootstrap: false,
    expiresAt: new Date(now.getTime() + 30 * DAY),
    rotatedFrom: null,
    createdBy: creator,
    createdAt: new Date(now.getTime() - DAY),
    ...fields,
  });
  return id;
}

async function groupId(org: Organization, name: string): Promise<string> {
  return (await insertGroup(db, org.id, randomUUID(), { displayName: name, externalId: null, source: 'local' }, now))
    .id;
}

async function userId(org: Organization, userName: string): Promise<string> {
  return (
    await insertUser(
      db,
      org.id,
      randomUUID(),
      { userName, externalId: null, active: true, displayName: null, attributes: {} },
      now,
    )
  ).id;
}

const read = (org: Organization, id: string): Promise<KeyRow | undefined> => findKey(db, org.id, id, now);

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
});
afterAll(() => database.drop());

describe('keys-store', () => {
  it('inserts a key and reads it back with its group name, creator and computed status', async () => {
    const g = await groupId(a, 'Key group');
    const id = await key(a, { name: 'svc', description: 'd', groupId: g, permissions: ['keys:read'] });
    expect(await read(a, id)).toMatchObject({
      org_id: a.id,
      id,
      name: 'svc',
      description: 'd',
      kind: 'service',
      group_id: g,
      group_name: 'Key group',
      permissions: ['keys:read'],
      status: 'active',
      suspension: null,
      created_by: 'key:creator',
      created_by_name: 'key "creator"',
    });
  });

  it('computes expiring_soon, expired, revoked and the suspension reasons', async () => {
    expect((await read(a, await key(a, { expiresAt: new Date(now.getTime() + 3 * DAY) })))!.status).toBe(
      'expiring_soon',
    );
    expect((await read(a, await key(a, { expiresAt: new Date(now.getTime() - 1) })))!.status).toBe('expired');
    const revoked = await key(a);
    expect(await revokeKeys(db, a.id, [revoked], now, 'key:someone')).toEqual([revoked]);
    expect((await read(a, revoked))!).toMatchObject({ status: 'revoked', revoked_by: 'key:someone' });

    const gone = await key(a, { groupId: randomUUID() });
    expect(await read(a, gone)).toMatchObject({ status: 'suspended', suspension: 'group_deleted' });

    const owner = await userId(a, 'owner@example.com');
    const g = await groupId(a, 'Owner group');
    const personal = await key(a, { kind: 'personal', ownerUserId: owner, groupId: g });
    expect(await read(a, personal)).toMatchObject({
      status: 'suspended',
      suspension: 'owner_left_group',
      owner_name: 'owner@example.com',
    });
    await addMembers(db, a.id, g, [{ id: owner, type: 'User', display: null }]);
    expect((await read(a, personal))!.status).toBe('active');
    await updateUser(
      db,
      a.id,
      owner,
      { userName: 'owner@example.com', externalId: null, active: false, displayName: null, attributes: {} },
      now,
    );
    expect(await read(a, personal)).toMatchObject({ status: 'suspended', suspension: 'owner_inactive' });
  });

  it('lists newest first with status, text, group and owner filters, and pages by keyset', async () => {
    const g = await groupId(a, 'List group');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await key(a, { name: `listed ${i}`, groupId: g, createdAt: new Date(now.getTime() - (10 - i) * 1000) }));
    const first = await listKeys(db, a.id, { groupId: g, limit: 2 }, now);
    expect(first.map((k) => k.id)).toEqual([ids[2], ids[1]]);
    const last = first[1]!;
    expect(
      (await listKeys(db, a.id, { groupId: g, after: { createdAt: last.created_at, id: last.id }, limit: 2 }, now)).map(
        (k) => k.id,
      ),
    ).toEqual([ids[0]]);
    expect((await listKeys(db, a.id, { text: 'LISTED 1', limit: 10 }, now)).map((k) => k.id)).toEqual([ids[1]]);
    expect(await listKeys(db, a.id, { groupId: g, status: 'revoked', limit: 10 }, now)).toEqual([]);
  });

  it('counts live keys, finds live ids by group or owner, renames, and records last use', async () => {
    const g = await groupId(a, 'Live group');
    const before = await countLiveKeys(db, a.id, now);
    const live = await key(a, { groupId: g });
    await key(a, { groupId: g, expiresAt: new Date(now.getTime() - 1) });
    expect(await countLiveKeys(db, a.id, now)).toBe(before + 1);
    expect(await keyIdsOfGroup(db, a.id, g)).toHaveLength(2);
    expect(await liveKeyIdsWhere(db, a.id, { groupId: g }, now)).toContain(live);
    expect(await updateKeyFields(db, a.id, live, { name: 'renamed', description: 'described' })).toBe(true);
    await touchLastUsed(db, a.id, live, now);
    expect(await read(a, live)).toMatchObject({ name: 'renamed', description: 'described', last_used_at: now });
  });

  describe('a different organization sees nothing', () => {
    let victim: string;
    let victimGroup: string;
    let victimOwner: string;
    let victimPersonal: string;

    beforeAll(async () => {
      victimGroup = await groupId(a, 'Victim keys group');
      victimOwner = await userId(a, 'victim-owner@example.com');
      await addMembers(db, a.id, victimGroup, [{ id: victimOwner, type: 'User', display: null }]);
      victim = await key(a, { name: 'victim', description: 'victim key', groupId: victimGroup });
      victimPersonal = await key(a, {
        name: 'victim personal',
        kind: 'personal',
        ownerUserId: victimOwner,
        groupId: victimGroup,
      });
    });

    async function victimUntouched(): Promise<void> {
      for (const id of [victim, victimPersonal]) {
        const row = await read(a, id);
        expect(row).toMatchObject({ status: 'active', revoked_at: null, last_used_at: null, group_id: victimGroup });
      }
      expect(await read(a, victim)).toMatchObject({ name: 'victim', description: 'victim key' });
    }

    it('findKey answers undefined', async () => {
      expect(await read(b, victim)).toBeUndefined();
      expect(await read(b, victimPersonal)).toBeUndefined();
    });

    it('findKeyForAuth is not filtered by organization, and the row it returns carries its own org_id', async () => {
      const row = await findKeyForAuth(db, victim, now);
      expect(row).toMatchObject({ id: victim, org_id: a.id, secret_hash: expect.stringMatching(/^\$2b\$/) });
      const mine = await key(b);
      expect((await findKeyForAuth(db, mine, now))!.org_id).toBe(b.id);
    });

    it('findBootstrapKeysForAuth returns bootstrap keys of every organization, each with its own org_id', async () => {
      const bootA = await key(a, { bootstrap: true });
      const bootB = await key(b, { bootstrap: true });
      const rows = await findBootstrapKeysForAuth(db, now);
      const orgOf = new Map(rows.map((r) => [r.id, r.org_id]));
      expect(orgOf.get(bootA)).toBe(a.id);
      expect(orgOf.get(bootB)).toBe(b.id);
      expect(rows.every((r) => r.bootstrap)).toBe(true);
    });

    it('listKeys never returns another organization’s keys, whatever the filter', async () => {
      const mine = await key(b, { name: 'victim lookalike' });
      expect((await listKeys(db, b.id, { limit: 100 }, now)).map((k) => k.id)).not.toContain(victim);
      expect(await listKeys(db, b.id, { groupId: victimGroup, limit: 100 }, now)).toEqual([]);
      expect(await listKeys(db, b.id, { ownerUserId: victimOwner, limit: 100 }, now)).toEqual([]);
      expect(
        await listKeys(
          db,
          b.id,
          {
            mine: { keyId: 'unknownkey', actorId: 'key:creator', userId: victimOwner },
            text: 'victim personal',
            limit: 100,
          },
          now,
        ),
      ).toEqual([]);
      expect((await listKeys(db, b.id, { text: 'victim', limit: 100 }, now)).map((k) => k.id)).toEqual([mine]);
    });

    it('countLiveKeys counts only the organization’s own keys', async () => {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM api_keys WHERE org_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)',
        [b.id, now],
      );
      expect(await countLiveKeys(db, b.id, now)).toBe(rows[0]!.n);
      const before = await countLiveKeys(db, b.id, now);
      await key(a);
      expect(await countLiveKeys(db, b.id, now)).toBe(before);
    });

    it('liveKeyIdsWhere and keyIdsOfGroup find nothing of another organization', async () => {
      expect(await liveKeyIdsWhere(db, b.id, { groupId: victimGroup }, now)).toEqual([]);
      expect(await liveKeyIdsWhere(db, b.id, { ownerUserId: victimOwner }, now)).toEqual([]);
      expect(await liveKeyIdsWhere(db, b.id, {}, now)).not.toContain(victim);
      expect(await keyIdsOfGroup(db, b.id, victimGroup)).toEqual([]);
    });

    it('updateKeyFields changes nothing and answers false', async () => {
      expect(
        await updateKeyFields(db, b.id, victim, { name: 'hijacked', description: 'x', groupId: randomUUID() }),
      ).toBe(false);
      await victimUntouched();
    });

    it('updateKeyFields with nothing to change still answers false for another organization’s key', async () => {
      expect(await updateKeyFields(db, b.id, victim, {})).toBe(false);
    });

    it('revokeKeys revokes nothing and answers empty', async () => {
      expect(await revokeKeys(db, b.id, [victim, victimPersonal], now, 'key:intruder')).toEqual([]);
      await victimUntouched();
    });

    it('touchLastUsed leaves another organization’s key alone', async () => {
      await touchLastUsed(db, b.id, victim, now);
      await victimUntouched();
    });

    it('a key of one organization naming another organization’s group or user reads as suspended, never borrowing them', async () => {
      const borrowedGroup = await key(b, { groupId: victimGroup });
      expect(await read(b, borrowedGroup)).toMatchObject({
        status: 'suspended',
        suspension: 'group_deleted',
        group_name: null,
      });
      const borrowedOwner = await key(b, { kind: 'personal', ownerUserId: victimOwner });
      expect(await read(b, borrowedOwner)).toMatchObject({
        status: 'suspended',
        suspension: 'owner_inactive',
        owner_name: null,
      });
    });
  });
});
