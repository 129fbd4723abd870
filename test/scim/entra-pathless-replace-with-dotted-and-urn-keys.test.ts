import { createUser, entraUser, expectScim, readBack } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// With aadOptscim062020 Entra ID folds several updates into one pathless replace whose value keys are
// themselves attribute paths: "name.givenName", "urn:…:enterprise:2.0:User:employeeNumber", even
// 'emails[type eq "work"].value' (Microsoft Learn, "Known issues and resolutions with SCIM 2.0
// protocol compliance of the Microsoft Entra user provisioning service"). RFC 7644 §3.5.2.3 expects
// attribute names there; a key naming a sub-attribute must change only that sub-attribute.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID sends a pathless replace whose keys are paths', () => {
  it('applies displayName, name.givenName, name.familyName and the URN-qualified employeeNumber', async () => {
    const user = await createUser(scim, entraUser('pathless.keys@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'replace',
        value: {
          displayName: 'Pvlo',
          'name.givenName': 'Gtfd',
          'name.familyName': 'Pkqf',
          [`${ENTERPRISE}:employeeNumber`]: 'Eqpj',
        },
      }),
    );
    expectScim(res, 200);

    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.displayName).toBe('Pvlo');
    // name.formatted was not named: it stays.
    expect(read.name).toEqual({ formatted: 'Barbara Jensen', givenName: 'Gtfd', familyName: 'Pkqf' });
    // department was not named: it stays.
    expect(read[ENTERPRISE]).toEqual({ employeeNumber: 'Eqpj', department: 'Tour Operations' });
    // Nothing was stored under the dotted or URN keys themselves.
    expect(read).not.toHaveProperty(['name.givenName']);
    expect(read).not.toHaveProperty([`${ENTERPRISE}:employeeNumber`]);
  });

  it('applies the documented full form, with externalId and the work e-mail path as keys', async () => {
    const user = await createUser(scim, entraUser('pathless.full@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}?aadOptscim062020`,
      patchOp({
        op: 'replace',
        value: {
          displayName: 'Pvlo',
          'emails[type eq "work"].value': 'TestBcwqnm@test.microsoft.com',
          'name.givenName': 'Gtfd',
          'name.familyName': 'Pkqf',
          externalId: 'Eqpj',
          [`${ENTERPRISE}:employeeNumber`]: 'Eqpj',
        },
      }),
    );
    expectScim(res, 200);

    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).toEqual(
      expect.objectContaining({
        displayName: 'Pvlo',
        externalId: 'Eqpj',
        emails: [{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }],
        name: { formatted: 'Barbara Jensen', givenName: 'Gtfd', familyName: 'Pkqf' },
      }),
    );
    expect(read[ENTERPRISE]).toEqual({ employeeNumber: 'Eqpj', department: 'Tour Operations' });
  });

  it('reads a whole extension object as a key, replacing only the sub-attributes it names', async () => {
    const user = await createUser(scim, entraUser('pathless.extension@contoso.com'));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'replace', value: { [ENTERPRISE]: { department: 'Research' } } }),
      ),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({
      employeeNumber: '701984',
      department: 'Research',
    });
  });

  it('ignores keys that name no attribute and applies the rest', async () => {
    const user = await createUser(scim, entraUser('pathless.unknown@contoso.com'));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'replace', value: { 'name.middleName': 'Q', 'noSuchAttribute.sub': 'x' } }),
      ),
      200,
    );
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.name).toEqual({
      formatted: 'Barbara Jensen',
      givenName: 'Barbara',
      familyName: 'Jensen',
      middleName: 'Q',
    });
    expect(read).not.toHaveProperty('noSuchAttribute');
    expect(read).not.toHaveProperty(['noSuchAttribute.sub']);
  });
});
