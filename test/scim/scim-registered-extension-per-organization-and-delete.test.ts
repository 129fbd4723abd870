import { createUser, expectScim, expectScimError, filterQuery, readBack, type Json } from '../support/clients.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { bearer, createOrganization, scimClientFor } from '../support/orgs.js';
import { USER_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Issue 13: a registered extension belongs to its organization; another organization's SCIM key
// never sees it. Deleting it removes it from discovery and deletes its values from every user.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  expect((await registerSchema(app, acmeSchema())).status).toBe(201);
  scim = await scimClient(app);
});
afterAll(() => app.close());

const acmeUser = (userName: string, acme: Json) => ({ schemas: [USER_SCHEMA, ACME], userName, [ACME]: acme });
const schemaIds = async (client: Pick<ScimClient, 'get'>) =>
  ((await readBack(client as ScimClient, '/Schemas')).Resources as Json[]).map((s) => s.id);

describe("another organization's extension", () => {
  it('is invisible: not in its discovery, not stored, not filterable', async () => {
    const other = await createOrganization(app);
    const otherScim = (await scimClientFor(app, other.token)) as unknown as ScimClient;
    expect(await schemaIds(otherScim)).not.toContain(ACME);
    const types = await readBack(otherScim, '/ResourceTypes/User');
    expect(types.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
    ]);
    const user = await createUser(otherScim, acmeUser('elsewhere@b.test', { costCenter: 'B' }));
    expect(user[ACME]).toBeUndefined();
    expectScimError(await otherScim.get(`/Users?${filterQuery(`${ACME}:costCenter eq "B"`)}`), 400, 'invalidFilter');
    // The registering organization still has it.
    expect(await schemaIds(scim)).toContain(ACME);
  });
});

describe('deleting a registered extension', () => {
  it('leaves discovery, deletes the values from every user (version moves on), and is audited', async () => {
    const holder = await createUser(scim, acmeUser('holder@a.test', { costCenter: 'A' }));
    const plain = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'plain@a.test' });
    const res = await app.http.delete(`/api/v1/scim-schemas/${encodeURIComponent(ACME)}`).set(bearer(app.adminToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ usersChanged: 1 });

    expect(await schemaIds(scim)).not.toContain(ACME);
    const read = await readBack(scim, `/Users/${holder.id}`);
    expect(read[ACME]).toBeUndefined();
    expect(read.schemas).toEqual([USER_SCHEMA]);
    expect((read.meta as Json).version).not.toBe((holder.meta as Json).version);
    expect(((await readBack(scim, `/Users/${plain.id}`)).meta as Json).version).toBe((plain.meta as Json).version);
    const { rows } = await app.db.query('SELECT 1 FROM users WHERE org_id = $1 AND attributes ? $2', [app.orgId, ACME]);
    expect(rows).toHaveLength(0);

    const audit = await app.http.get('/api/v1/audit?action=scim_schema.delete').set(bearer(app.adminToken));
    expect(audit.body.items[0].details).toEqual({ urn: ACME, usersChanged: 1 });

    // Registered again, it starts with no values; a second delete of nothing is 404.
    expect((await registerSchema(app, acmeSchema())).status).toBe(201);
    expect((await readBack(scim, `/Users/${holder.id}`))[ACME]).toBeUndefined();
    expectScim(await scim.get(`/Users/${holder.id}`), 200);
    await app.http.delete(`/api/v1/scim-schemas/${encodeURIComponent(ACME)}`).set(bearer(app.adminToken));
    const again = await app.http.delete(`/api/v1/scim-schemas/${encodeURIComponent(ACME)}`).set(bearer(app.adminToken));
    expect(again.status).toBe(404);
  });
});

describe('every process', () => {
  it('sees a registration made through another process within 1 second', async () => {
    const second = await startTestApp({ database: app.database, adminToken: app.adminToken });
    try {
      const secondScim = await scimClient(second);
      const urn = 'urn:example:params:scim:schemas:extension:live:2.0:User';
      expect(await schemaIds(secondScim)).not.toContain(urn);
      expect((await registerSchema(app, { id: urn, attributes: [{ name: 'a', type: 'string' }] })).status).toBe(201);
      const deadline = Date.now() + 1000;
      let seen = false;
      while (!seen && Date.now() < deadline) {
        seen = (await schemaIds(secondScim)).includes(urn);
        if (!seen) await new Promise((r) => setTimeout(r, 25));
      }
      expect(seen).toBe(true);
    } finally {
      await second.close();
    }
  });
});
