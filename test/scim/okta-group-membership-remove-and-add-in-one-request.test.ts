import { createGroup, createUser, expectScim, memberIds, oktaGroup, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta changes group membership with PATCH: "remove" on path members[value eq "<id>"] and "add" on
// path members with a value array, sometimes both in one request (Okta Developer, "SCIM 2.0
// protocol reference", Update Group membership). RFC 7644 §3.5.2: the operations apply in order.
let app: TestApp;
let scim: ScimClient;
const users: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  for (const name of ['ann', 'ben', 'cat', 'dan'])
    users[name] = (await createUser(scim, oktaUser(`${name}.member@example.com`))).id;
});
afterAll(() => app.close());

const removeMember = (id: string) => ({ op: 'remove', path: `members[value eq "${id}"]` });
const addMembers = (...ids: string[]) => ({
  op: 'add',
  path: 'members',
  value: ids.map((id) => ({ value: id, display: `${id}@display` })),
});
const sorted = (...ids: (string | undefined)[]) => ids.map(String).sort();

describe('Okta changes group membership', () => {
  it('removes one member and adds another in one request, leaving the rest', async () => {
    const group = await createGroup(scim, oktaGroup('Membership One', [{ value: users.ann! }, { value: users.ben! }]));

    const res = await scim.patch(`/Groups/${group.id}`, patchOp(removeMember(users.ann!), addMembers(users.cat!)));
    expectScim(res, 200);
    expect(memberIds(res.body as Json)).toEqual(sorted(users.ben, users.cat));

    const read = await readBack(scim, `/Groups/${group.id}`);
    expect(memberIds(read)).toEqual(sorted(users.ben, users.cat));
  });

  it('removes several members with one remove operation each', async () => {
    const group = await createGroup(
      scim,
      oktaGroup('Membership Two', [{ value: users.ann! }, { value: users.ben! }, { value: users.cat! }]),
    );

    expectScim(
      await scim.patch(`/Groups/${group.id}`, patchOp(removeMember(users.ann!), removeMember(users.cat!))),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([users.ben]);
  });

  it('adds several members with one value array', async () => {
    const group = await createGroup(scim, oktaGroup('Membership Three'));

    expectScim(await scim.patch(`/Groups/${group.id}`, patchOp(addMembers(users.ann!, users.ben!, users.dan!))), 200);
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual(sorted(users.ann, users.ben, users.dan));
  });

  it('ends with the member present when one request removes it and then adds it back', async () => {
    const group = await createGroup(scim, oktaGroup('Membership Four', [{ value: users.ann! }]));

    expectScim(await scim.patch(`/Groups/${group.id}`, patchOp(removeMember(users.ann!), addMembers(users.ann!))), 200);
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([users.ann]);
  });

  it('ends without the member when one request adds it and then removes it', async () => {
    const group = await createGroup(scim, oktaGroup('Membership Five', [{ value: users.ben! }]));

    expectScim(await scim.patch(`/Groups/${group.id}`, patchOp(addMembers(users.cat!), removeMember(users.cat!))), 200);
    expect(memberIds(await readBack(scim, `/Groups/${group.id}`))).toEqual([users.ben]);
  });

  it("shows the change in the member's groups attribute", async () => {
    // RFC 7643 §4.1.2: a user's "groups" is derived from group membership.
    const group = await createGroup(scim, oktaGroup('Membership Six', [{ value: users.dan! }]));
    const inGroup = (u: Json) => ((u.groups as Json[] | undefined) ?? []).some((g) => g.value === group.id);
    expect(inGroup(await readBack(scim, `/Users/${users.dan}`))).toBe(true);

    expectScim(await scim.patch(`/Groups/${group.id}`, patchOp(removeMember(users.dan!), addMembers(users.ann!))), 200);
    expect(inGroup(await readBack(scim, `/Users/${users.dan}`))).toBe(false);
    expect(inGroup(await readBack(scim, `/Users/${users.ann}`))).toBe(true);
  });
});
