import { createUser, entraUser, expectScim, expectScimError, readBack, type Json } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Microsoft's SCIM endpoint guide (Microsoft Learn, "Tutorial: Develop and plan provisioning for a
// SCIM endpoint", Update User [Add Manager]) documents the manager as a one-element array:
// {"op":"Add","path":"urn:…:enterprise:2.0:User:manager","value":[{"$ref":null,"value":"<id>"}]}.
// RFC 7643 §4.3 makes manager single-valued; a one-element array is read as its element, and the
// null $ref as "no $ref" (RFC 7644 §3.5.2: null means unassigned).
let app: TestApp;
let scim: ScimClient;
let managerId: string;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  managerId = (await createUser(scim, entraUser('boss@contoso.com'))).id;
});
afterAll(() => app.close());

const managerPath = `${ENTERPRISE}:manager`;
const managerOf = (user: Json) => (user[ENTERPRISE] as Json | undefined)?.manager;

describe("Entra ID's documented add-manager request", () => {
  it('sets the manager from a one-element array value and reads back {"value": id}', async () => {
    const user = await createUser(scim, entraUser('report.a@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Add', path: managerPath, value: [{ $ref: null, value: managerId }] }),
    );
    expectScim(res, 200);
    expect(managerOf(res.body)).toEqual({ value: managerId });
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(managerOf(read)).toEqual({ value: managerId });
    expect(read[ENTERPRISE]).toEqual(expect.objectContaining({ employeeNumber: '701984' }));
  });

  it('takes the same form with "replace" in the RFC dialect (aadOptscim062020)', async () => {
    const user = await createUser(scim, entraUser('report.b@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}?aadOptscim062020`,
      patchOp({ op: 'replace', path: managerPath, value: [{ value: managerId }] }),
    );
    expectScim(res, 200);
    expect(managerOf(await readBack(scim, `/Users/${user.id}`))).toEqual({ value: managerId });
  });

  it('takes it inside the extension of a pathless add and of a POST', async () => {
    const user = await createUser(scim, entraUser('report.c@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'add', value: { [ENTERPRISE]: { manager: [{ $ref: null, value: managerId }] } } }),
    );
    expectScim(res, 200);
    expect(managerOf(await readBack(scim, `/Users/${user.id}`))).toEqual({ value: managerId });

    const created = await scim.post(
      '/Users',
      entraUser('report.d@contoso.com', { [ENTERPRISE]: { manager: [{ value: managerId }] } }),
    );
    expectScim(created, 201);
    expect(managerOf(created.body)).toEqual({ value: managerId });
  });

  it('refuses two managers with 400 invalidValue, saying manager has one value', async () => {
    const user = await createUser(scim, entraUser('report.e@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Add', path: managerPath, value: [{ value: managerId }, { value: user.id }] }),
    );
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toMatch(/manager/);
    expect(res.body.detail).toMatch(/one value|single/);
  });
});
