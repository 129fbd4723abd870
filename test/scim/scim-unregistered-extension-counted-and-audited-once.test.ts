import { createUser, expectScim, readBack, type Json } from '../support/clients.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { USER_SCHEMA, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Issue 13 / DESIGN §9 "nothing the identity provider sends is silently dropped": attributes of an
// extension the organization did not register are accepted (RFC 7644 §3.3) and not stored, and
// reported: a /metrics counter on every request, one audit entry per new attribute name per
// organization (remembered in the database, so it holds across processes).
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  expect((await registerSchema(app, acmeSchema())).status).toBe(201);
  scim = await scimClient(app);
});
afterAll(() => app.close());

async function counted(): Promise<number> {
  const res = await app.http.get('/metrics').set('Authorization', `Bearer ${app.adminToken}`);
  expect(res.status).toBe(200);
  const line = res.text
    .split('\n')
    .find((l) => l.startsWith(`keyscope_scim_unregistered_attributes_total{schema="${CUSTOM.toLowerCase()}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function reported(a: TestApp = app): Promise<string[]> {
  const res = await a.http
    .get('/api/v1/audit?action=scim.unregistered_attribute&limit=500')
    .set('Authorization', `Bearer ${a.adminToken}`);
  expect(res.status).toBe(200);
  // Names compare case-insensitively: the entry shows the first spelling seen.
  return (res.body.items as Json[]).map((e) => String((e.details as Json).attribute).toLowerCase()).sort();
}

describe('attributes of an unregistered extension', () => {
  it('are accepted and not stored, counted, and audited once per name', async () => {
    const body = (userName: string) => ({
      schemas: [USER_SCHEMA, CUSTOM],
      userName,
      [CUSTOM]: { costCenter: '4130', division: 'North' },
    });
    const before = await counted();
    const user = await createUser(scim, body('unregistered1@x.test'));
    expect(user[CUSTOM]).toBeUndefined();
    expect((await readBack(scim, `/Users/${user.id}`))[CUSTOM]).toBeUndefined();
    expect(await counted()).toBe(before + 2);
    expect(await reported()).toEqual([`${CUSTOM}:costcenter`, `${CUSTOM}:division`].map((n) => n.toLowerCase()));

    // The same names again: counted again, not audited again.
    await createUser(scim, body('unregistered2@x.test'));
    expect(await counted()).toBe(before + 4);
    expect(await reported()).toHaveLength(2);
  });

  it('are accepted by PATCH, with a URN path or under the URN key, and a new name is audited', async () => {
    const user = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'unregistered3@x.test' });
    const before = await counted();
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'add', path: `${CUSTOM}:costCenter`, value: '1' },
        { op: 'replace', value: { [CUSTOM]: { region: 'EU' }, [`${CUSTOM}:site`]: 'Oslo', displayName: 'Kept' } },
      ),
    );
    expectScim(res, 200);
    expect(res.body.displayName).toBe('Kept');
    expect(res.body[CUSTOM]).toBeUndefined();
    expect(await counted()).toBe(before + 3);
    expect(await reported()).toEqual(
      [`${CUSTOM}:costcenter`, `${CUSTOM}:division`, `${CUSTOM}:region`, `${CUSTOM}:site`].map((n) => n.toLowerCase()),
    );
  });

  it('reports an attribute a registered schema does not define, in a POST body', async () => {
    const user = await createUser(scim, {
      schemas: [USER_SCHEMA, ACME],
      userName: 'unregistered4@x.test',
      [ACME]: { costCenter: 'A', shoeSize: 44 },
    });
    expect(user[ACME]).toEqual({ costCenter: 'A' });
    expect(await reported()).toContain(`${ACME}:shoeSize`.toLowerCase());
  });

  it('are reported on groups too (groups take no registered extension)', async () => {
    const GROUP_EXT = 'urn:example:params:scim:schemas:extension:teams:2.0:Group';
    const res = await scim.post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', GROUP_EXT],
      displayName: 'Reported team',
      [GROUP_EXT]: { channel: '#team' },
    });
    expectScim(res, 201);
    expect(res.body[GROUP_EXT]).toBeUndefined();
    expect(await reported()).toContain(`${GROUP_EXT}:channel`.toLowerCase());
  });

  it('show the spelling first seen in the audit entry', async () => {
    const res = await app.http
      .get('/api/v1/audit?action=scim.unregistered_attribute&limit=500')
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect((res.body.items as Json[]).map((e) => (e.details as Json).attribute)).toContain(`${CUSTOM}:costCenter`);
  });

  it('are audited once across processes sharing the database', async () => {
    const second = await startTestApp({ database: app.database, adminToken: app.adminToken });
    try {
      const client = await scimClient(second);
      await createUser(client, {
        schemas: [USER_SCHEMA, CUSTOM],
        userName: 'unregistered5@x.test',
        [CUSTOM]: { costCenter: '9', floor: '2' },
      });
      const names = await reported(second);
      expect(names.filter((n) => n === `${CUSTOM}:costcenter`.toLowerCase())).toHaveLength(1);
      expect(names).toContain(`${CUSTOM}:floor`.toLowerCase());
    } finally {
      await second.close();
    }
  });
});
