import type { Db } from '../../src/db/db.js';
import { createKey, oktaUser, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { openTestDatabase } from '../support/test-db.js';

/** The real database, with every statement sent to it counted (listening excepted). */
function counted(db: Db): { db: Db; statements: () => number } {
  let statements = 0;
  const counting = new Set(['query', 'exec', 'transaction', 'ping']);
  const wrapped = new Proxy(db, {
    get(target, property, _receiver) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!counting.has(String(property))) return value.bind(target);
      return (...args: unknown[]) => {
        statements++;
        return value.apply(target, args);
      };
    },
  });
  return { db: wrapped, statements: () => statements };
}

describe('the hot path: /authorize and /me with a key this process already knows', () => {
  let app: TestApp;
  let statements: () => number;
  let token: string;

  beforeAll(async () => {
    const database = await openTestDatabase();
    const counter = counted(database.db);
    statements = counter.statements;
    // Without the background tasks (webhook delivery, the key expiry scan): they query the database on
    // their own schedule, on no request's path, and would be counted here.
    app = await startTestApp({ database, db: counter.db, background: false });
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Services', rules: [{ permission: 'keys:read' }] });
    ({ token } = await createKey(app, { name: 'service', groupId: group.body.id }));
  });
  afterAll(async () => {
    await app.close();
    await app.database.drop();
  });

  /**
   * `rounds` times: keys:read allowed, keys:write denied (and `more`), with no statement sent to the
   * database from just before to just after (the first use's last-use write has settled by then).
   */
  async function expectNoStatements(auth: string, rounds: number, more?: () => Promise<void>) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = statements();
    for (let i = 0; i < rounds; i++) {
      const allowed = await app.http
        .post('/api/v1/authorize')
        .set('Authorization', auth)
        .send({ permission: 'keys:read' });
      expect(allowed.body).toEqual({ allowed: true });
      const denied = await app.http
        .post('/api/v1/authorize')
        .set('Authorization', auth)
        .send({ permission: 'keys:write' });
      expect(denied.body.allowed).toBe(false);
      await more?.();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(statements() - before).toBe(0);
  }

  it('sends no statement to the database, whatever the answer', async () => {
    const auth = `Bearer ${token}`;
    // The first use resolves the key (database, bcrypt) and records its last use once.
    expect((await app.http.get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    await expectNoStatements(auth, 50, async () => {
      const me = await app.http.get('/api/v1/me').set('Authorization', auth);
      expect(me.body.key.name).toBe('service');
    });
  });

  it('nor for a personal key whose grant includes conditional rules (issue 13): they are decided at resolution', async () => {
    const scim = await scimClient(app);
    const user = await scim.post('/Users', oktaUser('cond@example.com', { title: 'Lead' }));
    const group = await scim.post('/Groups', { displayName: 'Leads', members: [{ value: user.body.id }] });
    const put = await app.http
      .put(`/api/v1/groups/${group.body.id}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({
        rules: [
          { permission: 'keys:read', when: 'title eq "Lead"' },
          { permission: 'keys:write', when: 'title eq "Intern"' },
        ],
      });
    expect(put.status).toBe(200);
    const { token: personal } = await createKey(app, { name: 'cond', kind: 'personal', ownerUserId: user.body.id });
    const auth = `Bearer ${personal}`;
    expect((await app.http.get('/api/v1/me').set('Authorization', auth)).status).toBe(200);
    await expectNoStatements(auth, 20);
  });

  it('does send them for a key it does not know yet (the counter sees the database)', async () => {
    const before = statements();
    const { token: fresh } = await createKey(app, { name: 'fresh' });
    expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
    expect(statements()).toBeGreaterThan(before);
  });
});
