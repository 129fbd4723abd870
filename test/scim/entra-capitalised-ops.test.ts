import { createGroup, createUser, entraGroup, entraUser, expectScim, memberIds, readBack } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Without the aadOptscim062020 flag Entra ID writes PATCH operation names capitalised: "Add",
// "Replace", "Remove" (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol
// compliance of the Microsoft Entra user provisioning service"). RFC 7644 §3.5.2 spells them in
// lower case; keyscope reads them in any case.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID sends capitalised PATCH ops', () => {
  it('applies {"op":"Add","path":"nickName","value":"Babs"} and reads the nickName back', async () => {
    const user = await createUser(scim, entraUser('babs.jensen@contoso.com'));
    const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'nickName', value: 'Babs' }));
    expectScim(res, 200);
    expect(res.body.nickName).toBe('Babs');
    expect((await readBack(scim, `/Users/${user.id}`)).nickName).toBe('Babs');
  });

  it('applies several "Replace" operations, with paths into complex, multi-valued and extension attributes', async () => {
    const user = await createUser(scim, entraUser('pvlo@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
      ),
    );
    expectScim(res, 200);

    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.displayName).toBe('Pvlo');
    expect(read.emails).toEqual([{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }]);
    expect(read.name).toEqual({ formatted: 'Barbara Jensen', givenName: 'Gtfd', familyName: 'Pkqf' });
    expect(read.externalId).toBe('Eqpj');
    expect(read[ENTERPRISE]).toEqual({ employeeNumber: 'Eqpj', department: 'Tour Operations' });
  });

  it('applies "Remove" on a user attribute', async () => {
    const user = await createUser(scim, entraUser('remove.title@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: 'title' })), 200);
    expect(await readBack(scim, `/Users/${user.id}`)).not.toHaveProperty('title');
  });

  it('applies "Add" and "Remove" of members and "Replace" of displayName on a group', async () => {
    const a = await createUser(scim, entraUser('group.a@contoso.com'));
    const b = await createUser(scim, entraUser('group.b@contoso.com'));
    const group = await createGroup(scim, entraGroup('Capitalised Ops'));

    expectScim(
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }] }),
      ),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([a.id, b.id].sort());

    expectScim(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: a.id }] })),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([b.id]);

    expectScim(
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'Replace', path: 'displayName', value: 'Capitalised Ops Renamed' }),
      ),
      200,
    );
    expect((await readBack(scim, `/Groups/${group.id}`)).displayName).toBe('Capitalised Ops Renamed');
  });

  it('reads the op name in any case, including upper case', async () => {
    const user = await createUser(scim, entraUser('upper.case@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'REPLACE', path: 'title', value: 'Chief' })), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).title).toBe('Chief');
  });
});
