import { createGroup, createUser, entraGroup, entraUser, expectScim, memberIds, readBack } from '../support/clients.js';
import { patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Without aadOptscim062020 Entra ID removes members with
// {"op":"Remove","path":"members","value":[{"value":"<id>"}, ...]} (Microsoft Learn, "Known issues
// and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra user provisioning
// service"). It means "remove these members". Read as RFC 7644 §3.5.2.2 alone (remove on "members"
// with no filter removes all values) it would empty the group: that is the bug this guards against.
let app: TestApp;
let scim: ScimClient;
let ids: string[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  ids = [];
  for (const name of ['r1', 'r2', 'r3', 'r4']) ids.push((await createUser(scim, entraUser(`${name}@contoso.com`))).id);
});
afterAll(() => app.close());

describe('Entra ID removes members with "Remove" on path members and a value array', () => {
  it('removes only the listed members and keeps the others', async () => {
    const group = await createGroup(scim, entraGroup('Value Array One', { members: ids.map((value) => ({ value })) }));

    const res = await scim.patch(
      `/Groups/${group.id}`,
      patchOp({ op: 'Remove', path: 'members', value: [{ value: ids[0] }, { value: ids[2] }] }),
    );
    expectScim(res, 200);

    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([ids[1], ids[3]].sort());
  });

  it('removes one member given as a one-element value array', async () => {
    const group = await createGroup(
      scim,
      entraGroup('Value Array Two', { members: [{ value: ids[0] }, { value: ids[1] }] }),
    );
    expectScim(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: ids[1] }] })),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([ids[0]]);
  });

  it('ignores listed ids that are not members, removing the ones that are', async () => {
    const group = await createGroup(
      scim,
      entraGroup('Value Array Three', { members: [{ value: ids[0] }, { value: ids[1] }] }),
    );
    expectScim(
      await scim.patch(
        `/Groups/${group.id}`,
        patchOp({ op: 'Remove', path: 'members', value: [{ value: ids[3] }, { value: ids[0] }] }),
      ),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([ids[1]]);
  });

  it('leaves the removed users in place, only out of the group', async () => {
    const group = await createGroup(scim, entraGroup('Value Array Four', { members: [{ value: ids[2] }] }));
    expectScim(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: ids[2] }] })),
      200,
    );
    const user = await readBack(scim, `/Users/${ids[2]}`);
    expect(user.id).toBe(ids[2]);
    expect(((user.groups as { value: string }[] | undefined) ?? []).map((g) => g.value)).not.toContain(group.id);
  });

  it('removes all members only when "Remove" on members carries no value', async () => {
    const group = await createGroup(scim, entraGroup('Value Array Five', { members: ids.map((value) => ({ value })) }));
    expectScim(await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove', path: 'members' })), 200);
    expect((await readBack(scim, `/Groups/${group.id}`)).members).toEqual([]);
  });
});
