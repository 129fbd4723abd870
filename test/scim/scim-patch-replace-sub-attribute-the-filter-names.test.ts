import { createUser, expectScim, readBack } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// RFC 7644 §3.5.2.3: with a value filter and a sub-attribute, replace sets that sub-attribute on
// every element the filter matches, even when the filter is on the sub-attribute being replaced
// (`emails[value eq "old"].value`: the element matches before the change, which is what counts).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('replace on attr[sub eq "v"].sub', () => {
  it('replaces the e-mail the filter names, in place, and leaves the others', async () => {
    const emails = [
      { value: 'ann@work.example', type: 'work', primary: true },
      { value: 'ann@home.example', type: 'home' },
    ];
    const user = await createUser(scim, oktaUser('ann@work.example', { emails }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'emails[value eq "ann@home.example"].value', value: 'ann@new-home.example' }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([
      { value: 'ann@work.example', type: 'work', primary: true },
      { value: 'ann@new-home.example', type: 'home' },
    ]);
  });

  it('replaces a type through a filter on that type', async () => {
    const emails = [
      { value: 'bo@school.example', type: 'school', primary: true },
      { value: 'bo@work.example', type: 'work' },
    ];
    const user = await createUser(scim, oktaUser('bo@school.example', { emails }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'Replace', path: 'emails[type eq "school"].type', value: 'alumni' }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([
      { value: 'bo@school.example', type: 'alumni', primary: true },
      { value: 'bo@work.example', type: 'work' },
    ]);
  });

  it('replaces the sub-attribute on every element the filter matches', async () => {
    const phoneNumbers = [
      { value: 'tel:+1-201-555-0100', type: 'work' },
      { value: 'tel:+1-201-555-0101', type: 'work' },
      { value: 'tel:+1-201-555-0102', type: 'mobile' },
    ];
    const user = await createUser(scim, oktaUser('cy@example.com', { phoneNumbers }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'phoneNumbers[type eq "work"].type', value: 'office' }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).phoneNumbers).toEqual([
      { value: 'tel:+1-201-555-0100', type: 'office' },
      { value: 'tel:+1-201-555-0101', type: 'office' },
      { value: 'tel:+1-201-555-0102', type: 'mobile' },
    ]);
  });
});
