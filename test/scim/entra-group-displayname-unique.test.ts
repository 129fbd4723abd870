import { createGroup, entraGroup, expectScim, expectScimError, filterQuery, readBack } from '../support/clients.js';
import { GROUP_SCHEMA, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID matches groups by displayName, so two groups with one name would make its lookups
// ambiguous; keyscope keeps group displayNames unique per organization, case-insensitively
// (DESIGN §3, §6), and answers a clash with 409 uniqueness (RFC 7644 §3.3, §3.12). Entra creates
// groups with an extra Microsoft schema URN in "schemas" (Microsoft Learn, Create Group).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const byName = async (name: string) =>
  (await scim.get(`/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${name}"`)}`)).body
    .totalResults as number;

describe('Entra ID creates groups whose displayName must be unique', () => {
  it('creates a group from the body Entra sends, Microsoft schema URN and meta included', async () => {
    const res = await scim.post('/Groups', entraGroup('Unique Group'));
    expectScim(res, 201);
    expect(res.body).toEqual(
      expect.objectContaining({ displayName: 'Unique Group', externalId: 'ext-unique-group', schemas: [GROUP_SCHEMA] }),
    );
    expect((await readBack(scim, `/Groups/${res.body.id}`)).displayName).toBe('Unique Group');
  });

  it('answers a second group with the same displayName with 409 uniqueness and creates nothing', async () => {
    await createGroup(scim, entraGroup('Duplicate Name'));
    expectScimError(
      await scim.post('/Groups', entraGroup('Duplicate Name', { externalId: 'another-external-id' })),
      409,
      'uniqueness',
    );
    expect(await byName('Duplicate Name')).toBe(1);
  });

  it('treats displayNames differing only in case as the same name', async () => {
    await createGroup(scim, entraGroup('Case Group'));
    expectScimError(await scim.post('/Groups', entraGroup('CASE group', { externalId: 'case-2' })), 409, 'uniqueness');
    expect(await byName('case group')).toBe(1);
  });

  it("refuses renaming a group onto another group's displayName with PATCH, keeping the old name", async () => {
    await createGroup(scim, entraGroup('Taken Name'));
    const group = await createGroup(scim, entraGroup('Free Name'));
    expectScimError(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Taken Name' })),
      409,
      'uniqueness',
    );
    expect((await readBack(scim, `/Groups/${group.id}`)).displayName).toBe('Free Name');
  });

  it("refuses renaming a group onto another group's displayName with PUT", async () => {
    await createGroup(scim, entraGroup('Put Taken'));
    const group = await createGroup(scim, entraGroup('Put Free'));
    expectScimError(
      await scim.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'put taken', members: [] }),
      409,
      'uniqueness',
    );
    expect((await readBack(scim, `/Groups/${group.id}`)).displayName).toBe('Put Free');
  });

  it('lets a group be renamed to a different case of its own name', async () => {
    const group = await createGroup(scim, entraGroup('Own Name'));
    expectScim(
      await scim.patch(`/Groups/${group.id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'OWN NAME' })),
      200,
    );
    expect((await readBack(scim, `/Groups/${group.id}`)).displayName).toBe('OWN NAME');
  });

  it('frees the name when the group is deleted', async () => {
    const group = await createGroup(scim, entraGroup('Reused Name'));
    expect((await scim.delete(`/Groups/${group.id}`)).status).toBe(204);
    expectScim(await scim.post('/Groups', entraGroup('Reused Name')), 201);
  });

  it("creates a group named like keyscope's own local Admins group, which SCIM lookups do not show", async () => {
    // Entra looks "Admins" up first and finds nothing (local groups are not SCIM resources), then
    // creates it: a 409 there would be a conflict with a resource the client cannot see or match,
    // and the group would never provision.
    expect(await byName('Admins')).toBe(0);
    const res = await scim.post('/Groups', entraGroup('Admins'));
    expectScim(res, 201);
    expect(await byName('Admins')).toBe(1);
  });
});
