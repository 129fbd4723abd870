import { createUser, entraUser, expectScim, readBack } from '../support/clients.js';
import {
  ENTERPRISE,
  USER_SCHEMA,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

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
      patchOp(
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
        { op: 'Add', path: `${ENTERPRISE}:costCenter`, value: '4130' },
      ),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({
      employeeNumber: 'Eqpj',
      costCenter: '4130',
      department: 'Tour Operations',
    });
  });

  it('adds the extension, and lists its schema, on a user created without it', async () => {
    const { [ENTERPRISE]: _ext, ...plain } = entraUser('no.extension@contoso.com', { schemas: [USER_SCHEMA] });
    const user = await createUser(scim, plain);
    expect((await readBack(scim, `/Users/${user.id}`)).schemas).toEqual([USER_SCHEMA]);

    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' })),
      200,
    );
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read[ENTERPRISE]).toEqual({ department: 'Finance' });
    expect(read.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
  });

  it('reads the URN in any case (RFC 7643 §2.1: schema URIs and attribute names are case-insensitive)', async () => {
    const user = await createUser(scim, entraUser('urn.case@contoso.com'));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'Replace', path: `${ENTERPRISE.toLowerCase()}:Department`, value: 'Legal' }),
      ),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual(
      expect.objectContaining({ department: 'Legal' }),
    );
  });

  it('removes one extension attribute with "Remove" on its URN path', async () => {
    const user = await createUser(scim, entraUser('urn.remove@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: `${ENTERPRISE}:department` })), 200);
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
  });
});

describe('parts of a complex attribute the user does not have yet, and the extension as a whole', () => {
  it('sets manager.value on a user without a manager (RFC 7644 §3.5.2.1: add creates the target)', async () => {
    const user = await createUser(scim, entraUser('no.manager@contoso.com'));
    for (const op of ['Add', 'Replace']) {
      expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: `${ENTERPRISE}:manager` })), 200);
      const res = await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op, path: `${ENTERPRISE}:manager.value`, value: `boss-${op}` }),
      );
      expectScim(res, 200);
      expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({
        employeeNumber: '701984',
        department: 'Tour Operations',
        manager: { value: `boss-${op}` },
      });
    }
  });

  it('sets name.givenName on a user without a name, and keeps familyName when there is one', async () => {
    const { name: _name, ...nameless } = entraUser('nameless@contoso.com');
    const user = await createUser(scim, nameless);
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'name.givenName', value: 'Ada' })),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`)).name).toEqual({ givenName: 'Ada' });
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'name.familyName', value: 'Lovelace' })),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`)).name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
  });

  it('removes the whole extension by its URN, with remove or a null replace, and drops its schema', async () => {
    for (const operation of [
      { op: 'Remove', path: ENTERPRISE },
      { op: 'Replace', path: ENTERPRISE, value: null },
    ]) {
      const user = await createUser(scim, entraUser(`drop.extension.${operation.op}@contoso.com`));
      const res = await scim.patch(`/Users/${user.id}`, patchOp(operation));
      expectScim(res, 200);
      const read = await readBack(scim, `/Users/${user.id}`);
      expect(read[ENTERPRISE]).toBeUndefined();
      expect(read.schemas).toEqual([USER_SCHEMA]);
    }
  });
});
