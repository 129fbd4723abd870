import { expectEmptyList, expectScim, filterQuery, readBack } from '../support/clients.js';
import { GROUP_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta Group Push creates the group first with an empty member list, then adds members with PATCH
// (Okta Developer, "SCIM 2.0 protocol reference", Create Groups: the request and the documented
// 201 response both carry "members": []).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Okta pushes a new group with members: []', () => {
  it('answers 201 with the group, a Location and members: [], and reads back the same', async () => {
    const res = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] });
    expectScim(res, 201);
    expect(res.body).toEqual(
      expect.objectContaining({
        schemas: [GROUP_SCHEMA],
        displayName: 'Test SCIMv2',
        members: [],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    );
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.body.meta).toEqual(
      expect.objectContaining({
        resourceType: 'Group',
        location: expect.stringMatching(new RegExp(`/scim/v2/Groups/${res.body.id}$`)),
      }),
    );

    const read = await readBack(scim, `/Groups/${res.body.id}`);
    expect(read).toEqual(expect.objectContaining({ id: res.body.id, displayName: 'Test SCIMv2', members: [] }));
  });

  it('finds nothing before the push and the pushed group after it, filtering by displayName', async () => {
    const lookup = `/Groups?${filterQuery('displayName eq "Engineering EMEA"')}&startIndex=1&count=100`;
    expectEmptyList(await scim.get(lookup));

    const created = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering EMEA',
      members: [],
    });
    expectScim(created, 201);

    const found = await scim.get(lookup);
    expectScim(found, 200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toEqual(
      expect.objectContaining({ id: created.body.id, displayName: 'Engineering EMEA' }),
    );
  });

  it('lists the pushed group in the groups import with members: []', async () => {
    const created = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales APAC', members: [] });
    const list = await scim.get('/Groups?startIndex=1&count=100');
    expectScim(list, 200);
    const group = (list.body.Resources as { id: string; members?: unknown }[]).find((g) => g.id === created.body.id);
    expect(group).toEqual(expect.objectContaining({ displayName: 'Sales APAC', members: [] }));
  });
});
