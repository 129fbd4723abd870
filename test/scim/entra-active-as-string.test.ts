import { createUser, entraUser, expectScim, expectScimError, filterQuery, readBack } from '../support/clients.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Without aadOptscim062020 Entra ID disables a user with {"op":"Replace","path":"active","value":"False"}:
// the boolean as a string (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol
// compliance of the Microsoft Entra user provisioning service"). RFC 7643 §4.1.1 types active as a
// boolean; keyscope reads "True"/"False" (any case) as the booleans and stores a boolean.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID sends active as the string "True" or "False"', () => {
  it('disables a user with {"op":"Replace","path":"active","value":"False"} and reads back the boolean false', async () => {
    const user = await createUser(scim, entraUser('disable.me@contoso.com'));
    const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expectScim(res, 200);
    expect(res.body.active).toBe(false);

    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(false);
    const inactive = await scim.get(
      `/Users?${filterQuery('active eq false and userName eq "disable.me@contoso.com"')}`,
    );
    expect(inactive.body.totalResults).toBe(1);
  });

  it('enables the user again with "True"', async () => {
    const user = await createUser(scim, entraUser('enable.me@contoso.com', { active: false }));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' })), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(true);
  });

  it('reads "false" and "TRUE" in any case, also in a pathless replace', async () => {
    const user = await createUser(scim, entraUser('any.case@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: 'false' } })), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(false);
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', value: { active: 'TRUE' } })), 200);
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(true);
  });

  it('creates a user whose active arrives as "True" as an active user', async () => {
    const res = await scim.post('/Users', entraUser('string.true@contoso.com', { active: 'True' }));
    expectScim(res, 201);
    expect(res.body.active).toBe(true);
    expect((await readBack(scim, `/Users/${res.body.id}`)).active).toBe(true);
  });

  it('creates a user whose active arrives as "False" as an inactive user', async () => {
    const res = await scim.post('/Users', entraUser('string.false@contoso.com', { active: 'False' }));
    expectScim(res, 201);
    expect((await readBack(scim, `/Users/${res.body.id}`)).active).toBe(false);
  });

  it('still refuses a string that is not a boolean with 400 invalidValue, changing nothing', async () => {
    const user = await createUser(scim, entraUser('not.boolean@contoso.com'));
    expectScimError(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'Nope' })),
      400,
      'invalidValue',
    );
    expect((await readBack(scim, `/Users/${user.id}`)).active).toBe(true);
  });
});
