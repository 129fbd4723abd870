import { createUser, entraUser, expectScim, readBack } from '../support/clients.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID maps the work e-mail to the path emails[type eq "work"].value (Microsoft Learn,
// "Tutorial: Develop and plan provisioning for a SCIM endpoint", Update User [Multi-valued
// properties]). RFC 7644 §3.5.2.3: a value-filter path replaces the sub-attribute of the matching
// elements only. When no element matches, Entra still means "the work e-mail is now X": keyscope
// adds a work element (RFC 7644 §3.5.2.1 read loosely; strictly a replace would be 400 noTarget).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const twoEmails = (userName: string) => [
  { primary: true, type: 'work', value: userName },
  { primary: false, type: 'home', value: 'home@personal.example' },
];

describe('Entra ID changes the work e-mail with emails[type eq "work"].value', () => {
  it('replaces the work e-mail and leaves the home e-mail alone', async () => {
    const user = await createUser(
      scim,
      entraUser('work.mail@contoso.com', { emails: twoEmails('work.mail@contoso.com') }),
    );
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' }),
    );
    expectScim(res, 200);

    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([
      { primary: true, type: 'work', value: 'updatedEmail@microsoft.com' },
      { primary: false, type: 'home', value: 'home@personal.example' },
    ]);
  });

  it('accepts the documented two-operation request that also replaces name.familyName', async () => {
    const user = await createUser(scim, entraUser('two.ops@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
    );
    expectScim(res, 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(read.name).toEqual(expect.objectContaining({ familyName: 'updatedFamilyName', givenName: 'Barbara' }));
  });

  it('adds a work e-mail when the user has none', async () => {
    const user = await createUser(
      scim,
      entraUser('no.work@contoso.com', { emails: [{ type: 'home', value: 'only.home@personal.example' }] }),
    );
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new.work@contoso.com' }),
      ),
      200,
    );

    const emails = (await readBack(scim, `/Users/${user.id}`)).emails;
    expect(emails).toHaveLength(2);
    expect(emails).toEqual(
      expect.arrayContaining([
        { type: 'home', value: 'only.home@personal.example' },
        { type: 'work', value: 'new.work@contoso.com' },
      ]),
    );
  });

  it('adds a work e-mail with "Add" when the user has no e-mails at all', async () => {
    const user = await createUser(scim, entraUser('no.mail@contoso.com', { emails: [] }));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'first@contoso.com' }),
      ),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([{ type: 'work', value: 'first@contoso.com' }]);
  });
});
