import {
  createGroup,
  createUser,
  entraGroup,
  entraUser,
  expectEmptyList,
  expectScim,
  filterQuery,
  memberIds,
  readBack,
} from '../support/clients.js';
import { GROUP_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID finds groups with GET /Groups?excludedAttributes=members&filter=displayName eq "..." and
// reads one with GET /Groups/{id}?excludedAttributes=members (Microsoft Learn, "Tutorial: Develop
// and plan provisioning for a SCIM endpoint", Get Group by displayName, Get Group [excluded
// attrs]). RFC 7644 §3.9: excluded attributes are left out; id and schemas are always returned.
let app: TestApp;
let scim: ScimClient;
let groupId: string;
let userIds: string[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  userIds = [
    (await createUser(scim, entraUser('m1@contoso.com'))).id,
    (await createUser(scim, entraUser('m2@contoso.com'))).id,
  ];
  groupId = (await createGroup(scim, entraGroup('Contoso Finance', { members: userIds.map((value) => ({ value })) })))
    .id;
  await createGroup(scim, entraGroup('Contoso Finance EMEA'));
});
afterAll(() => app.close());

describe('Entra ID looks a group up by displayName without its members', () => {
  it('finds exactly the group with that displayName, without members', async () => {
    const res = await scim.get(`/Groups?excludedAttributes=members&${filterQuery('displayName eq "Contoso Finance"')}`);
    expectScim(res, 200);
    expect(res.body.totalResults).toBe(1);
    const group = res.body.Resources[0];
    expect(group).toEqual(
      expect.objectContaining({
        id: groupId,
        displayName: 'Contoso Finance',
        schemas: [GROUP_SCHEMA],
        externalId: 'ext-contoso-finance',
      }),
    );
    expect(group).not.toHaveProperty('members');
  });

  it('matches displayName case-insensitively, as RFC 7643 §4.2 defines it (caseExact false)', async () => {
    const res = await scim.get(`/Groups?excludedAttributes=members&${filterQuery('displayName eq "contoso FINANCE"')}`);
    expectScim(res, 200);
    expect(res.body.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
  });

  it('answers an unknown displayName with 200 and an empty list', async () => {
    expectEmptyList(
      await scim.get(`/Groups?excludedAttributes=members&${filterQuery('displayName eq "Contoso Legal"')}`),
    );
  });

  it('reads one group with excludedAttributes=members and no members, while the members are still there', async () => {
    const res = await scim.get(`/Groups/${groupId}?excludedAttributes=members`);
    expectScim(res, 200);
    expect(res.body).toEqual(expect.objectContaining({ id: groupId, displayName: 'Contoso Finance' }));
    expect(res.body).not.toHaveProperty('members');

    expect(memberIds(await readBack(scim, `/Groups/${groupId}`))).toEqual([...userIds].sort());
  });

  it('finds a group by externalId too', async () => {
    const res = await scim.get(
      `/Groups?excludedAttributes=members&${filterQuery('externalId eq "ext-contoso-finance"')}`,
    );
    expectScim(res, 200);
    expect(res.body.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
  });
});
