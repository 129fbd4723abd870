import { createUser, expectScim, readBack } from '../support/clients.js';
import {
  GROUP_SCHEMA,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// Okta's 2023 SCIM test plan (Okta-SCIM-20-SPEC-Test-2023-01) walks a group through create, remove
// member, add member, PUT with no members and delete. It requires 200 (not 204) on group PATCH,
// `members` echoed with the `display` Okta sent, and `expect(data.members).to.be.empty` after the
// last member goes: with chai 4 that needs "members": [] in the body, not an omitted attribute.
let app: TestApp;
let scim: ScimClient;
let userId: string;
let groupId: string;
const userEmail = 'Kj7Ty@atko.com';

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  userId = (await createUser(scim, oktaUser(userEmail))).id;
});
afterAll(() => app.close());

describe("Okta's 2023 test plan on groups", () => {
  it('creates a group with one member and echoes members[0].value and display', async () => {
    const res = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Group-Tq8Lm',
      members: [{ value: userId, display: userEmail }],
    });
    expectScim(res, 201);
    expect(res.body.members).toEqual([expect.objectContaining({ value: userId, display: userEmail })]);
    groupId = res.body.id;

    const read = await readBack(scim, `/Groups/${groupId}`);
    expect(read.members).toEqual([expect.objectContaining({ value: userId, display: userEmail })]);
  });

  it('answers the removal of the last member with 200 and "members": []', async () => {
    const res = await scim.patch(
      `/Groups/${groupId}`,
      patchOp({ op: 'remove', path: `members[value eq "${userId}"]` }),
    );
    expectScim(res, 200);
    expect(res.body.members).toEqual([]);
    expect((await readBack(scim, `/Groups/${groupId}`)).members).toEqual([]);
  });

  it('answers the add with 200 and members[0] echoing the value and display Okta sent', async () => {
    const res = await scim.patch(
      `/Groups/${groupId}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: userId, display: userEmail }] }),
    );
    expectScim(res, 200);
    expect(res.body.members).toEqual([expect.objectContaining({ value: userId, display: userEmail })]);
    expect((await readBack(scim, `/Groups/${groupId}`)).members).toEqual([
      expect.objectContaining({ value: userId, display: userEmail }),
    ]);
  });

  it('answers a PUT with members: [] with 200 and "members": []', async () => {
    const res = await scim.put(`/Groups/${groupId}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Group-Tq8Lm',
      members: [],
    });
    expectScim(res, 200);
    expect(res.body.members).toEqual([]);
    const read = await readBack(scim, `/Groups/${groupId}`);
    expect(read.members).toEqual([]);
    expect(read.displayName).toBe('Group-Tq8Lm');
  });

  it('deletes the group with 204, after which it is gone', async () => {
    const res = await scim.delete(`/Groups/${groupId}`);
    expect(res.status).toBe(204);
    expect((await scim.get(`/Groups/${groupId}`)).status).toBe(404);
  });

  it('answers 200 with active false for the pathless deactivation that ends the plan', async () => {
    const res = await scim.patch(`/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } }));
    expectScim(res, 200);
    expect(res.body.active).toBe(false);
    expect((await readBack(scim, `/Users/${userId}`)).active).toBe(false);
  });
});
