import type { Db } from '../../src/db/db.js';
import { insertAuditEvent, listAudit } from '../../src/audit/audit-store.js';
import type { AuditEvent } from '../../src/audit/audit.js';
import type { Organization } from '../../src/orgs/orgs.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/** audit-store (DESIGN §3, §8): an organization's audit log is its own; filters never reach into another. */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;
const actor = { id: 'key:abc', name: 'key "ci"' };

async function all(org: Organization, query: Partial<Parameters<typeof listAudit>[2]> = {}): Promise<AuditEvent[]> {
  return listAudit(db, org.id, { limit: 1000, ...query });
}

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
  await insertAuditEvent(db, {
    orgId: a.id,
    actor,
    action: 'key.create',
    target: 'key:k1',
    details: { name: 'one' },
    requestId: 'req-1',
  });
  await insertAuditEvent(db, { orgId: a.id, actor, action: 'key.revoke', target: 'key:k1', requestId: 'req-2' });
  await insertAuditEvent(db, {
    orgId: a.id,
    actor: { id: 'key:other', name: 'other' },
    action: 'group.rules',
    target: 'group:g1',
  });
});
afterAll(() => database.drop());

describe('audit-store', () => {
  it('records events with actor, action, target, details and request id, and lists them newest first', async () => {
    const events = await all(a);
    expect(events.map((e) => e.action)).toEqual(['group.rules', 'key.revoke', 'key.create']);
    expect(events[2]).toMatchObject({
      actor,
      action: 'key.create',
      target: 'key:k1',
      details: { name: 'one' },
      requestId: 'req-1',
    });
    expect(events[0]).toMatchObject({ details: {}, requestId: null });
    expect(events[0]!.at).toBeInstanceOf(Date);
  });

  it('filters by exact action, an action family, actor, target and time, and pages before an id', async () => {
    expect((await all(a, { action: 'key.revoke' })).map((e) => e.action)).toEqual(['key.revoke']);
    expect((await all(a, { action: 'key.*' })).map((e) => e.action)).toEqual(['key.revoke', 'key.create']);
    expect((await all(a, { action: 'key.' })).map((e) => e.action)).toEqual([]);
    expect((await all(a, { actor: 'key:other' })).map((e) => e.action)).toEqual(['group.rules']);
    expect((await all(a, { target: 'key:k1' })).map((e) => e.action)).toEqual(['key.revoke', 'key.create']);
    const events = await all(a);
    expect(await all(a, { since: new Date(Date.now() + 3600_000) })).toEqual([]);
    expect((await all(a, { until: new Date(Date.now() + 3600_000) })).length).toBe(3);
    expect((await all(a, { before: events[0]!.id, limit: 1 })).map((e) => e.id)).toEqual([events[1]!.id]);
  });

  it('lists newest first by id even past nine events, and pages before an id without skipping any', async () => {
    for (let i = 0; i < 12; i++)
      await insertAuditEvent(db, { orgId: a.id, actor, action: 'key.update', target: `key:n${i}` });
    const events = await all(a);
    const ids = events.map((e) => Number(e.id));
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(events[0]!.target).toBe('key:n11');
    const paged: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await listAudit(db, a.id, { before, limit: 4 });
      if (!page.length) break;
      paged.push(...page.map((e) => e.id));
      before = page[page.length - 1]!.id;
    }
    expect(paged).toEqual(events.map((e) => e.id));
  });

  describe('a different organization sees nothing', () => {
    it('lists none of another organization’s events, whatever the filter', async () => {
      expect(await all(b)).toEqual([]);
      expect(await all(b, { action: 'key.*' })).toEqual([]);
      expect(await all(b, { actor: actor.id })).toEqual([]);
      expect(await all(b, { target: 'key:k1' })).toEqual([]);
      const newest = (await all(a))[0]!;
      expect(await all(b, { before: String(Number(newest.id) + 1) })).toEqual([]);
    });

    it('sees its own events only, after both organizations wrote some', async () => {
      await insertAuditEvent(db, { orgId: b.id, actor, action: 'key.create', target: 'key:k1', requestId: 'req-b' });
      const events = await all(b);
      expect(events.map((e) => e.requestId)).toEqual(['req-b']);
      expect((await all(a)).map((e) => e.requestId)).not.toContain('req-b');
    });
  });
});
