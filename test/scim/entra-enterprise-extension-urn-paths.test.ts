import { createUser, entraUser, expectScim, readBack } from '../support/clients.js';
import { ENTERPRISE, USER_SCHEMA, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID addresses enterprise attributes with URN-qualified paths such as
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber (Microsoft Learn, "Known
// issues and resolutions with SCIM 2.0 protocol compliance...", the multi-attribute update). RFC 7644
// §3.5.2 / §3.10: a path may start with the schema URN; the attribute lands in that extension.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID patches enterprise attributes by URN path', () => {
  it('replaces employeeNumber and adds costCenter in the extension, leaving department', async () => {
    const user = await createUser(scim, entraUser('urn.paths@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' }, { op: 'Add', path: `${ENTERPRISE}:costCenter`, value: '4130' }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({ employeeNumber: 'Eqpj', costCenter: '4130', department: 'Tour Operations' });
  });

  it('adds the extension, and lists its schema, on a user created without it', async () => {
    const { [ENTERPRISE]: _ext, ...plain } = entraUser('no.extension@contoso.com', { schemas: [USER_SCHEMA] });
    const user = await createUser(scim, plain);
    expect((await readBack(scim, `/Users/${user.id}`)).schemas).toEqual([USER_SCHEMA]);

    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' })), 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read[ENTERPRISE]).toEqual({ department: 'Finance' });
    expect(read.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
  });

  it('reads the URN in any case (RFC 7643 §2.1: schema URIs and attribute names are case-insensitive)', async () => {
    const user = await createUser(scim, entraUser('urn.case@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: `${ENTERPRISE.toLowerCase()}:Department`, value: 'Legal' })), 200);
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual(expect.objectContaining({ department: 'Legal' }));
  });

  it('removes one extension attribute with "Remove" on its URN path', async () => {
    const user = await createUser(scim, entraUser('urn.remove@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: `${ENTERPRISE}:department` })), 200);
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
  });
});
