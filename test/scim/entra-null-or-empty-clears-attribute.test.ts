import { createUser, entraUser, expectScim, readBack, type Json } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID clears an attribute by sending it with null or "" (Microsoft Learn, "Known issues and
// resolutions with SCIM 2.0 protocol compliance...": empty values). RFC 7643 §2.5: an unassigned
// attribute, null and an empty array are the same state; keyscope also treats "" as unassigned, so a
// cleared attribute disappears rather than being stored as an empty string.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID clears attributes with null or ""', () => {
  it.each([
    ['""', ''],
    ['null', null],
  ])('clears title with "Replace" and %s', async (_name, value) => {
    const user = await createUser(scim, entraUser(`clear.title.${value === null ? 'null' : 'empty'}@contoso.com`));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'title', value })), 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).not.toHaveProperty('title');
    expect(read.displayName).toBe('Barbara Jensen');
  });

  it('clears a sub-attribute (name.givenName) with "", keeping the other sub-attributes', async () => {
    const user = await createUser(scim, entraUser('clear.given@contoso.com'));
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'name.givenName', value: '' })),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`)).name).toEqual({
      formatted: 'Barbara Jensen',
      familyName: 'Jensen',
    });
  });

  it('clears an enterprise attribute given by URN path with null, keeping the others', async () => {
    const user = await createUser(scim, entraUser('clear.department@contoso.com'));
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: `${ENTERPRISE}:department`, value: null })),
      200,
    );
    expect((await readBack(scim, `/Users/${user.id}`))[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
  });

  it('clears the manager with "" on its URN path', async () => {
    const manager = await createUser(scim, entraUser('clear.manager.boss@contoso.com'));
    const user = await createUser(scim, entraUser('clear.manager@contoso.com'));
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id })),
      200,
    );
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' })),
      200,
    );
    const ext = (await readBack(scim, `/Users/${user.id}`))[ENTERPRISE] as Json;
    expect(ext).not.toHaveProperty('manager');
  });

  it('clears several attributes in a pathless replace, setting the others', async () => {
    const user = await createUser(scim, entraUser('clear.pathless@contoso.com', { nickName: 'Babs' }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'replace',
        value: { nickName: null, title: '', displayName: 'Still Here', [`${ENTERPRISE}:employeeNumber`]: '' },
      }),
    );
    expectScim(res, 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).not.toHaveProperty('nickName');
    expect(read).not.toHaveProperty('title');
    expect(read.displayName).toBe('Still Here');
    expect(read[ENTERPRISE]).toEqual({ department: 'Tour Operations' });
  });

  it('clears externalId and displayName, which live in their own columns', async () => {
    const user = await createUser(scim, entraUser('clear.columns@contoso.com'));
    expectScim(
      await scim.patch(
        `/Users/${user.id}`,
        patchOp({ op: 'Replace', path: 'externalId', value: '' }, { op: 'Replace', path: 'displayName', value: null }),
      ),
      200,
    );
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read).not.toHaveProperty('externalId');
    expect(read).not.toHaveProperty('displayName');
  });

  it('stores nothing for attributes created with null or ""', async () => {
    const res = await scim.post(
      '/Users',
      entraUser('created.empty@contoso.com', {
        title: '',
        nickName: null,
        [ENTERPRISE]: { department: '', employeeNumber: '7' },
      }),
    );
    expectScim(res, 201);
    const read = await readBack(scim, `/Users/${res.body.id}`);
    expect(read).not.toHaveProperty('title');
    expect(read).not.toHaveProperty('nickName');
    expect(read[ENTERPRISE]).toEqual({ employeeNumber: '7' });
  });
});
