import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Db } from '../../src/db/db.js';
import { findKey, insertKey, listKeys, revokeKeys } from '../../src/keys/keys-store.js';
import { EXPIRING_SOON_MS, KEY_STATUSES, statusOf } from '../../src/principals/key-status.js';
import { newKeyId } from '../../src/principals/token.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/**
 * A key's status has one rule (DESIGN §4): the admin API filters keys by status in SQL, and a cached
 * principal's status moves with the clock in memory (principals/key-status.ts statusOf). For any
 * expiry, revocation (past or scheduled) and suspension, both must name the same status, boundaries
 * included (exactly now, exactly seven days ahead).
 */

const SEED = Number(process.env.KEYSCOPE_PROPERTY_SEED ?? 11);
const now = new Date('2026-05-01T00:00:00.000Z');
const DAY = 24 * 3600 * 1000;

let database: TestDatabase;
let db: Db;
let org: Organization;

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a: org } = await twoOrganizations(db));
});
afterAll(() => database.drop());

const offset = fc.option(
  fc.oneof(
    fc.constantFrom(0, -1, 1, EXPIRING_SOON_MS, EXPIRING_SOON_MS + 1, EXPIRING_SOON_MS - 1),
    fc.integer({ min: -10 * DAY, max: 10 * DAY }),
  ),
  { nil: null },
);

const keySpec = fc.record({ expires: offset, revoked: offset, groupDeleted: fc.boolean() });

describe('key status', () => {
  it('is the same in the database (reads and the status filter) and in memory, for any times and suspension', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(keySpec, { minLength: 1, maxLength: 8 }), async (specs) => {
        const tag = randomUUID().slice(0, 8);
        const expected = new Map<string, string>();
        for (const spec of specs) {
          const id = newKeyId();
          const expiresAt = spec.expires === null ? null : new Date(now.getTime() + spec.expires);
          const revokedAt = spec.revoked === null ? null : new Date(now.getTime() + spec.revoked);
          await insertKey(db, {
            orgId: org.id,
            id,
            name: `status ${tag}`,
            description: '',
            kind: 'service',
            groupId: spec.groupDeleted ? randomUUID() : null,
            ownerUserId: null,
            scim: false,
            permissions: null,
            secretHash: '$2b$04$notarealhashnotarealhashnotarealhashnotarealhashnotar',
            fragment: `ksk_${id}…abcd`,
            bootstrap: false,
            expiresAt,
            rotatedFrom: null,
            createdBy: { id: 'key:test', name: 'test' },
            createdAt: new Date(now.getTime() - 20 * DAY),
          });
          if (revokedAt) await revokeKeys(db, org.id, [id], revokedAt, 'key:test');
          const inMemory = statusOf({ expiresAt, revokedAt }, spec.groupDeleted ? 'group_deleted' : null, now).status;
          expected.set(id, inMemory);
          expect((await findKey(db, org.id, id, now))!.status).toBe(inMemory);
        }
        for (const status of KEY_STATUSES) {
          const listed = await listKeys(db, org.id, { status, text: tag, limit: 100 }, now);
          const want = [...expected].filter(([, s]) => s === status).map(([id]) => id);
          expect(listed.map((k) => k.id).sort()).toEqual(want.sort());
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
