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
  type Json,
} from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// The aadOptscim062020 query parameter on the tenant URL switches Entra ID to RFC-compliant PATCH
// (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft
// Entra user provisioning service"). A tenant may run either dialect, and switch, so every request
// pair below must leave the same resource. The flag itself, and any other unknown query parameter,
// is ignored (RFC 7644 defines no such parameter; nothing says to refuse it).
let app: TestApp;
let scim: ScimClient;
const FLAG = 'aadOptscim062020';

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

/** Applies the same change in each dialect to a fresh user and returns both users as read back. */
async function bothDialects(name: string, before: Json[], after: Json[]): Promise<[Json, Json]> {
  const a = await createUser(scim, entraUser(`${name}.before@contoso.com`));
  const b = await createUser(scim, entraUser(`${name}.after@contoso.com`));
  expectScim(await scim.patch(`/Users/${a.id}`, patchOp(...before)), 200);
  expectScim(await scim.patch(`/Users/${b.id}?${FLAG}`, patchOp(...after)), 200);
  return [await readBack(scim, `/Users/${a.id}`), await readBack(scim, `/Users/${b.id}`)];
}

const comparable = ({ id: _id, userName: _u, meta: _m, emails: _e, externalId: _x, groups: _g, ...rest }: Json) => rest;

describe('Entra ID PATCH with and without aadOptscim062020', () => {
  it('adds nickName the same way: "Add" vs "add"', async () => {
    const [a, b] = await bothDialects(
      'nick',
      [{ op: 'Add', path: 'nickName', value: 'Babs' }],
      [{ op: 'add', path: 'nickName', value: 'Babs' }],
    );
    expect(a.nickName).toBe('Babs');
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('disables the same way: "Replace" with "False" vs "replace" with false', async () => {
    const [a, b] = await bothDialects(
      'disable',
      [{ op: 'Replace', path: 'active', value: 'False' }],
      [{ op: 'replace', path: 'active', value: false }],
    );
    expect(a.active).toBe(false);
    expect(b.active).toBe(false);
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('updates several attributes the same way: one "Replace" per path vs one pathless replace with path keys', async () => {
    const [a, b] = await bothDialects(
      'several',
      [
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
      ],
      [
        {
          op: 'replace',
          value: {
            displayName: 'Pvlo',
            'emails[type eq "work"].value': 'TestBcwqnm@test.microsoft.com',
            'name.givenName': 'Gtfd',
            'name.familyName': 'Pkqf',
            externalId: 'Eqpj',
            [`${ENTERPRISE}:employeeNumber`]: 'Eqpj',
          },
        },
      ],
    );
    for (const user of [a, b]) {
      expect(user).toEqual(
        expect.objectContaining({
          displayName: 'Pvlo',
          externalId: 'Eqpj',
          emails: [{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }],
          name: { formatted: 'Barbara Jensen', givenName: 'Gtfd', familyName: 'Pkqf' },
        }),
      );
      expect(user[ENTERPRISE]).toEqual({ employeeNumber: 'Eqpj', department: 'Tour Operations' });
    }
    expect(comparable(b)).toEqual(comparable(a));
  });

  it('removes members the same way: "Remove" with a value array vs one "remove" per members[value eq] path', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await createUser(scim, entraUser(`dialect.member${n}@contoso.com`))).id);
    const members = ids.map((value) => ({ value }));
    const before = await createGroup(scim, entraGroup('Dialect Before', { members }));
    const after = await createGroup(scim, entraGroup('Dialect After', { members }));

    expectScim(
      await scim.patch(
        `/Groups/${before.id}`,
        patchOp({ op: 'Remove', path: 'members', value: [{ value: ids[0] }, { value: ids[1] }] }),
      ),
      200,
    );
    expectScim(
      await scim.patch(
        `/Groups/${after.id}?${FLAG}`,
        patchOp(
          { op: 'remove', path: `members[value eq "${ids[0]}"]` },
          { op: 'remove', path: `members[value eq "${ids[1]}"]` },
        ),
      ),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${before.id}`))).toEqual([ids[2]]);
    expect(memberIds(await readBack(scim, `/Groups/${after.id}`))).toEqual([ids[2]]);
  });

  it('adds members the same way: "Add" vs "add" on members with a value array', async () => {
    const user = await createUser(scim, entraUser('dialect.add@contoso.com'));
    const before = await createGroup(scim, entraGroup('Dialect Add Before'));
    const after = await createGroup(scim, entraGroup('Dialect Add After'));
    expectScim(
      await scim.patch(`/Groups/${before.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] })),
      200,
    );
    expectScim(
      await scim.patch(
        `/Groups/${after.id}?${FLAG}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }),
      ),
      200,
    );
    expect(memberIds(await readBack(scim, `/Groups/${before.id}`))).toEqual([user.id]);
    expect(memberIds(await readBack(scim, `/Groups/${after.id}`))).toEqual([user.id]);
  });
});

describe('The aadOptscim062020 flag and other unknown query parameters', () => {
  it.each([FLAG, `${FLAG}=true`, 'someVendorFlag=1'])(
    'are ignored on list, read, create, replace, patch and delete (?%s)',
    async (param) => {
      const userName = `flag.${param.length}.${Math.random().toString(36).slice(2, 7)}@contoso.com`;
      expectEmptyList(await scim.get(`/Users?${param}&${filterQuery(`userName eq "${userName}"`)}`));

      const created = await scim.post(`/Users?${param}`, entraUser(userName));
      expectScim(created, 201);
      const id = created.body.id as string;

      const found = await scim.get(`/Users?${filterQuery(`userName eq "${userName}"`)}&${param}`);
      expectScim(found, 200);
      expect(found.body.totalResults).toBe(1);

      const read = await scim.get(`/Users/${id}?${param}`);
      expectScim(read, 200);
      expect(read.body.id).toBe(id);

      expectScim(await scim.put(`/Users/${id}?${param}`, { ...read.body, title: 'Put With Flag' }), 200);
      expectScim(
        await scim.patch(`/Users/${id}?${param}`, patchOp({ op: 'replace', path: 'nickName', value: 'Flagged' })),
        200,
      );
      const after = await readBack(scim, `/Users/${id}`);
      expect(after).toEqual(expect.objectContaining({ title: 'Put With Flag', nickName: 'Flagged' }));

      const group = await scim.post(`/Groups?${param}`, entraGroup(`Flag Group ${userName}`));
      expectScim(group, 201);
      expectScim(await scim.get(`/Groups?${param}&excludedAttributes=members`), 200);
      expect((await scim.delete(`/Groups/${group.body.id}?${param}`)).status).toBe(204);
      expect((await scim.delete(`/Users/${id}?${param}`)).status).toBe(204);
      expect((await scim.get(`/Users/${id}`)).status).toBe(404);
    },
  );
});
