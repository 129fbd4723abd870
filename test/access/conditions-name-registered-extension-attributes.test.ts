import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Issue 13: a rule's condition may name the attributes of an extension the organization registered
 * (/api/v1/scim-schemas), evaluated by the same SQL as GET /Users?filter=; an unregistered one, or a
 * value never returned, is refused with 400 as that request would be. Deleting the schema makes the
 * condition hold for nobody at once (fail closed), and another organization cannot name the extension.
 */
let app: TestApp;
let scim: ScimClient;
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'payments:approve' } });
  scim = await scimClient(app);
});
afterAll(() => app.close());

async function allowed(token: string, permission: string): Promise<boolean> {
  const res = await app.http.post('/api/v1/authorize').set(bearer(token)).send({ permission });
  expect(res.status).toBe(200);
  return res.body.allowed === true;
}

const putRules = (groupId: string, rules: unknown[]) =>
  app.http.put(`/api/v1/groups/${groupId}/rules`).set(admin()).send({ rules });

describe('a condition naming a registered extension attribute', () => {
  it('is refused while the extension is not registered, then grants while the person matches', async () => {
    const ann = (await scim.post('/Users', oktaUser('ann.ext@example.com'))).body.id as string;
    const group = (await scim.post('/Groups', { displayName: 'Cost centres', members: [{ value: ann }] })).body
      .id as string;
    const when = `${ACME}:costCenter eq "Payments" and ${ACME}:building.floor ge 3`;

    const early = await putRules(group, [{ permission: 'payments:approve', when }]);
    expect(early.status).toBe(400);
    expect(early.body.detail).toMatch(/^rules\[0\]\.when is not a condition on the user: /);

    expect((await registerSchema(app, acmeSchema())).status).toBe(201);
    expect((await putRules(group, [{ permission: 'payments:approve', when }])).status).toBe(200);
    const key = await createKey(app, { name: 'ann ext', kind: 'personal', ownerUserId: ann });
    expect(await allowed(key.token, 'payments:approve')).toBe(false);

    const set = (costCenter: string, floor: number) =>
      scim.patch(
        `/Users/${ann}`,
        patchOp(
          { op: 'replace', path: `${ACME}:costCenter`, value: costCenter },
          { op: 'replace', path: `${ACME}:building.floor`, value: floor },
        ),
      );
    expect((await set('payments', 4)).status).toBe(200); // caseExact false, as GET's filter compares it
    expect(await allowed(key.token, 'payments:approve')).toBe(true);
    const listed = await scim.get(`/Users?filter=${encodeURIComponent(when)}`);
    expect(listed.body.Resources.map((r: { id: string }) => r.id)).toEqual([ann]);

    expect((await set('Payments', 2)).status).toBe(200);
    expect(await allowed(key.token, 'payments:approve')).toBe(false);
    expect((await set('Payments', 3)).status).toBe(200);
    expect(await allowed(key.token, 'payments:approve')).toBe(true);

    const me = await app.http.get('/api/v1/me').set(bearer(key.token));
    expect(me.body.conditionalRules).toEqual([{ permission: 'payments:approve', resources: null, when, holds: true }]);

    // Deleting the schema deletes the values, and the condition holds for nobody, at once.
    expect((await app.http.delete(`/api/v1/scim-schemas/${encodeURIComponent(ACME)}`).set(admin())).status).toBe(200);
    expect(await allowed(key.token, 'payments:approve')).toBe(false);
  });

  it('a value never returned (writeOnly) cannot be named, as GET /Users?filter= cannot', async () => {
    const schema = acmeSchema('urn:ietf:params:scim:schemas:extension:acme2:2.0:User');
    expect((await registerSchema(app, schema)).status).toBe(201);
    const group = (await scim.post('/Groups', { displayName: 'Pins' })).body.id as string;
    const when = 'urn:ietf:params:scim:schemas:extension:acme2:2.0:User:pin eq "1234"';
    const res = await putRules(group, [{ permission: 'payments:approve', when }]);
    expect(res.status).toBe(400);
    expect((await scim.get(`/Users?filter=${encodeURIComponent(when)}`)).status).toBe(400);
  });
});
