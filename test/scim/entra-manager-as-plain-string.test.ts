import { createUser, entraUser, expectScim, filterQuery, readBack, type Json } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID sets the manager on the path urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager
// with the manager's id as a plain string (Microsoft Learn, "Tutorial: Develop and plan provisioning
// for a SCIM endpoint", Update User [Add Manager]). RFC 7643 §4.3 makes manager a complex attribute
// with sub-attribute "value": keyscope stores {"value": "<id>"}.
let app: TestApp;
let scim: ScimClient;
let managerId: string;
let otherManagerId: string;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  managerId = (await createUser(scim, entraUser('the.manager@contoso.com'))).id;
  otherManagerId = (await createUser(scim, entraUser('other.manager@contoso.com'))).id;
});
afterAll(() => app.close());

const managerPath = `${ENTERPRISE}:manager`;
const managerOf = (user: Json) => (user[ENTERPRISE] as Json | undefined)?.manager as Json | undefined;

describe('Entra ID sends the manager as a plain id string', () => {
  it('sets the manager from {"op":"Add","path":"…:manager","value":"<id>"} and reads back {"value":"<id>"}', async () => {
    const user = await createUser(scim, entraUser('report.one@contoso.com'));
    const res = await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: managerPath, value: managerId }));
    expectScim(res, 200);

    const read = await readBack(scim, `/Users/${user.id}`);
    expect(managerOf(read)).toEqual(expect.objectContaining({ value: managerId }));
    expect(read.schemas).toContain(ENTERPRISE);
    // The rest of the extension is untouched.
    expect(read[ENTERPRISE]).toEqual(
      expect.objectContaining({ employeeNumber: '701984', department: 'Tour Operations' }),
    );
  });

  it('changes the manager with "Replace" and a plain id string', async () => {
    const user = await createUser(scim, entraUser('report.two@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: managerPath, value: managerId })), 200);
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: managerPath, value: otherManagerId })),
      200,
    );
    expect(managerOf(await readBack(scim, `/Users/${user.id}`))).toEqual(
      expect.objectContaining({ value: otherManagerId }),
    );
  });

  it('accepts the RFC form {"value":"<id>"} too', async () => {
    const user = await createUser(scim, entraUser('report.three@contoso.com'));
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: managerPath, value: { value: managerId } })),
      200,
    );
    expect(managerOf(await readBack(scim, `/Users/${user.id}`))).toEqual(expect.objectContaining({ value: managerId }));
  });

  it('sets the manager from a pathless replace whose key is the manager URN path (aadOptscim062020 form)', async () => {
    const user = await createUser(scim, entraUser('report.seven@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}?aadOptscim062020`,
      patchOp({ op: 'replace', value: { [managerPath]: managerId, displayName: 'Report Seven' } }),
    );
    expectScim(res, 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(managerOf(read)).toEqual(expect.objectContaining({ value: managerId }));
    expect(read.displayName).toBe('Report Seven');
  });

  it('creates a user whose manager arrives as a plain string in the extension', async () => {
    const res = await scim.post(
      '/Users',
      entraUser('report.four@contoso.com', { [ENTERPRISE]: { employeeNumber: '4', manager: managerId } }),
    );
    expectScim(res, 201);
    expect(managerOf(await readBack(scim, `/Users/${res.body.id}`))).toEqual(
      expect.objectContaining({ value: managerId }),
    );
  });

  it('finds the reports of a manager with a filter on manager.value', async () => {
    const user = await createUser(scim, entraUser('report.five@contoso.com'));
    expectScim(
      await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: managerPath, value: otherManagerId })),
      200,
    );
    const res = await scim.get(`/Users?${filterQuery(`${ENTERPRISE}:manager.value eq "${otherManagerId}"`)}`);
    expectScim(res, 200);
    expect((res.body.Resources as Json[]).map((u) => u.id)).toContain(user.id);
  });

  it('clears the manager with "Remove" on the manager path', async () => {
    const user = await createUser(scim, entraUser('report.six@contoso.com'));
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: managerPath, value: managerId })), 200);
    expectScim(await scim.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: managerPath })), 200);
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(managerOf(read)).toBeUndefined();
    expect(read[ENTERPRISE]).toEqual(expect.objectContaining({ employeeNumber: '701984' }));
  });
});
