import {
  createGroup,
  createUser,
  expectScim,
  expectScimError,
  memberIds,
  oktaGroup,
  readBack,
} from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta renames a pushed group with a pathless replace whose value also carries the group's
// read-only id (Okta Developer, "SCIM 2.0 protocol reference", Update a specific Group name).
// RFC 7644 §3.5.2: "id" is readOnly; echoing the resource's own id is tolerated and ignored here.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Okta renames a group with a replace whose value includes the read-only id', () => {
  it('renames the group, keeps its id and members, and reads back the new name', async () => {
    const user = await createUser(scim, oktaUser('ann.rename@example.com'));
    const group = await createGroup(
      scim,
      oktaGroup('Test SCIMv2', [{ value: user.id, display: 'ann.rename@example.com' }]),
    );

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2 renamed' } }),
    );
    expectScim(res, 200);
    expect(res.body).toEqual(expect.objectContaining({ id: group.id, displayName: 'Test SCIMv2 renamed' }));

    const read = await readBack(scim, `/Groups/${group.id}`);
    expect(read.id).toBe(group.id);
    expect(read.displayName).toBe('Test SCIMv2 renamed');
    expect(memberIds(read)).toEqual([user.id]);
  });

  it('is found under the new name and not under the old one', async () => {
    const group = await createGroup(scim, oktaGroup('Before Rename'));
    expectScim(
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'replace', value: { id: group.id, displayName: 'After Rename' } }),
      ),
      200,
    );

    const oldName = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Before Rename"')}`);
    expect(oldName.body.totalResults).toBe(0);
    const newName = await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "After Rename"')}`);
    expect(newName.body.totalResults).toBe(1);
    expect(newName.body.Resources[0].id).toBe(group.id);
  });

  it('still refuses an explicit replace of the id path (mutability)', async () => {
    const group = await createGroup(scim, oktaGroup('Id Guard'));
    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'replace', path: 'id', value: '00000000-0000-4000-8000-000000000000' }),
    );
    expectScimError(res, 400, 'mutability');
    expect((await readBack(scim, `/Groups/${group.id}`)).id).toBe(group.id);
  });
});
