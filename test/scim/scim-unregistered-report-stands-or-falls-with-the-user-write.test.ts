import { createUser, type Json } from '../support/clients.js';
import { USER_SCHEMA, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 13 / DESIGN §9: the report of an unregistered extension's attributes (one audit entry per new
 * name) is written in the same transaction as the user write it came with, and the /metrics counter
 * moves only after that commits. A write that rolls back reports nothing (and does not keep the name
 * from being reported by a later write); a report that fails takes the user write with it, so no user
 * is ever written with what was dropped from it unreported.
 */
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:Rollback:2.0:User';
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

async function counted(): Promise<number> {
  const res = await app.http.get('/metrics').set('Authorization', `Bearer ${app.adminToken}`);
  const line = res.text
    .split('\n')
    .find((l) => l.startsWith(`keyscope_scim_unregistered_attributes_total{schema="${CUSTOM.toLowerCase()}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function reported(): Promise<string[]> {
  const res = await app.http
    .get('/api/v1/audit?action=scim.unregistered_attribute&limit=500')
    .set('Authorization', `Bearer ${app.adminToken}`);
  return (res.body.items as Json[]).map((e) => String((e.details as Json).attribute));
}

const body = (userName: string, attribute: string) => ({
  schemas: [USER_SCHEMA, CUSTOM],
  userName,
  [CUSTOM]: { [attribute]: 'x' },
});

describe('the unregistered-attribute report and the user write', () => {
  it('a refused POST (409) and PATCH report nothing; the next write that commits reports the name once', async () => {
    await createUser(scim, { schemas: [USER_SCHEMA], userName: 'taken@rollback.test' });
    const before = await counted();
    const refused = await scim.post('/Users', body('taken@rollback.test', 'fromRefusedPost'));
    expect(refused.status).toBe(409);

    const other = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'other@rollback.test' });
    const patch = await scim.patch(
      `/Users/${other.id}`,
      patchOp(
        { op: 'add', path: `${CUSTOM}:fromRefusedPatch`, value: 'x' },
        { op: 'replace', path: 'userName', value: 'taken@rollback.test' },
      ),
    );
    expect(patch.status).toBe(409);
    expect(await counted()).toBe(before);
    expect((await reported()).filter((a) => a.includes('Rollback'))).toEqual([]);

    await createUser(scim, body('fresh@rollback.test', 'fromRefusedPost'));
    expect(await counted()).toBe(before + 1);
    expect((await reported()).filter((a) => a.includes('Rollback'))).toEqual([`${CUSTOM}:fromRefusedPost`]);
  });

  it('a report that fails takes the user write with it', async () => {
    // A fault in the audit log, for this one name only.
    await app.db.query(`
      CREATE FUNCTION fail_unregistered_report() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'scim.unregistered_attribute' AND NEW.details->>'attribute' LIKE '%failingReport' THEN
          RAISE EXCEPTION 'injected audit fault';
        END IF;
        RETURN NEW;
      END $$`);
    await app.db.query(
      'CREATE TRIGGER fail_unregistered_report BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_unregistered_report()',
    );
    try {
      const before = await counted();
      const res = await scim.post('/Users', body('never@rollback.test', 'failingReport'));
      expect(res.status).toBeGreaterThanOrEqual(500);
      const found = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "never@rollback.test"')}`);
      expect(found.body.totalResults).toBe(0);
      expect(await counted()).toBe(before);
    } finally {
      await app.db.query('DROP TRIGGER fail_unregistered_report ON audit_events');
      await app.db.query('DROP FUNCTION fail_unregistered_report()');
    }
  });
});
