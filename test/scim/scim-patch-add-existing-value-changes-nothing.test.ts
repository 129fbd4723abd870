import { createUser, entraUser, expectScim, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// RFC 7644 §3.5.2.1: "If the target location specifies a multi-valued attribute, a new value is
// added"; when the value is already there, "no changes SHOULD be made to the resource, and a success
// response SHOULD be returned", and the operation alone "SHALL NOT change the modify timestamp".
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const metaOf = (doc: Json) => doc.meta as Json;

describe('add of a value a multi-valued attribute already holds', () => {
  it('answers 200 and changes nothing, not even meta.version or meta.lastModified', async () => {
    const user = await createUser(scim, oktaUser('same.mail@example.com'));
    const before = await readBack(scim, `/Users/${user.id}`);
    // The same element, its keys in another order.
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'add', path: 'emails', value: [{ type: 'work', value: 'same.mail@example.com', primary: true }] }),
    );
    expectScim(res, 200);
    const after = await readBack(scim, `/Users/${user.id}`);
    expect(after.emails).toEqual(before.emails);
    expect(metaOf(after).version).toBe(metaOf(before).version);
    expect(metaOf(after).lastModified).toBe(metaOf(before).lastModified);
  });

  it('does the same for a pathless add and for Entra\'s "True" written as a string', async () => {
    const user = await createUser(scim, oktaUser('pathless.same@example.com'));
    const before = await readBack(scim, `/Users/${user.id}`);
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'Add',
        value: { emails: [{ primary: 'True', value: 'pathless.same@example.com', type: 'work' }] },
      }),
    );
    expectScim(res, 200);
    expect(metaOf(await readBack(scim, `/Users/${user.id}`)).version).toBe(metaOf(before).version);
  });

  it('adds only the values that are new, once each', async () => {
    const user = await createUser(scim, oktaUser('some.new@example.com'));
    const fresh = { type: 'home', value: 'home@example.org' };
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp(
        { op: 'add', path: 'emails', value: [{ primary: true, value: 'some.new@example.com', type: 'work' }, fresh] },
        { op: 'add', path: 'emails', value: [fresh] },
      ),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([
      { primary: true, value: 'some.new@example.com', type: 'work' },
      fresh,
    ]);
  });

  it('changes nothing when Entra adds an app role the user already has', async () => {
    const role = { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Approver' };
    const user = await createUser(scim, entraUser('role.again@contoso.com', { roles: [role] }));
    const before = await readBack(scim, `/Users/${user.id}`);
    const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'roles', value: [role] }));
    expectScim(res, 200);
    const after = await readBack(scim, `/Users/${user.id}`);
    expect(after.roles).toEqual([role]);
    expect(metaOf(after).version).toBe(metaOf(before).version);
  });

  it('adds the value again after an earlier operation of the same request removed it', async () => {
    const user = await createUser(scim, oktaUser('removed.then.added@example.com'));
    const mail = { primary: true, value: 'removed.then.added@example.com', type: 'work' };
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'remove', path: 'emails' }, { op: 'add', path: 'emails', value: [mail] }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).emails).toEqual([mail]);
  });
});
