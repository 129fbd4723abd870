import { createUser, entraUser, expectEmptyList, expectScim, filterQuery, type Json } from '../support/clients.js';
import { scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID's filters use only "eq" and "and", on userName and externalId for users (Microsoft
// Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint": "the filter operator eq
// must be supported", "and" when several matching attributes are configured). RFC 7644 §3.4.2.2.
let app: TestApp;
let scim: ScimClient;
let alice: Json & { id: string };

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  alice = await createUser(scim, entraUser('Alice.Wong@contoso.com', { externalId: 'awong' }));
  await createUser(scim, entraUser('bob.stone@contoso.com', { externalId: 'bstone' }));
});
afterAll(() => app.close());

const ids = (res: { body: { Resources: Json[] } }) => res.body.Resources.map((r) => r.id);

describe('Entra ID looks users up with eq and and', () => {
  it('finds a user by userName eq, case-insensitively', async () => {
    for (const value of ['Alice.Wong@contoso.com', 'alice.wong@contoso.com']) {
      const res = await scim.get(`/Users?${filterQuery(`userName eq "${value}"`)}`);
      expectScim(res, 200);
      expect(res.body.totalResults).toBe(1);
      expect(ids(res)).toEqual([alice.id]);
    }
  });

  it('finds a user by externalId eq, and only with its exact case', async () => {
    // RFC 7643 §3.1: externalId is caseExact.
    const res = await scim.get(`/Users?${filterQuery('externalId eq "awong"')}`);
    expectScim(res, 200);
    expect(ids(res)).toEqual([alice.id]);
    expectEmptyList(await scim.get(`/Users?${filterQuery('externalId eq "AWONG"')}`));
  });

  it('finds a user by userName eq and externalId eq, and nobody when either does not match', async () => {
    const both = await scim.get(
      `/Users?${filterQuery('userName eq "alice.wong@contoso.com" and externalId eq "awong"')}`,
    );
    expectScim(both, 200);
    expect(ids(both)).toEqual([alice.id]);
    expectEmptyList(
      await scim.get(`/Users?${filterQuery('userName eq "alice.wong@contoso.com" and externalId eq "bstone"')}`),
    );
  });

  it('reads filter attribute names and the and operator in any case', async () => {
    // RFC 7644 §3.4.2.2: attribute names and operators are case-insensitive.
    const res = await scim.get(
      `/Users?${filterQuery('USERNAME EQ "alice.wong@contoso.com" AND externalid eq "awong"')}`,
    );
    expectScim(res, 200);
    expect(ids(res)).toEqual([alice.id]);
  });

  it('returns the full user Entra compares against its source', async () => {
    const res = await scim.get(`/Users?${filterQuery('userName eq "alice.wong@contoso.com"')}`);
    expect(res.body.Resources[0]).toEqual(
      expect.objectContaining({
        userName: 'Alice.Wong@contoso.com',
        externalId: 'awong',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Alice.Wong@contoso.com' }],
        name: { formatted: 'Barbara Jensen', familyName: 'Jensen', givenName: 'Barbara' },
      }),
    );
  });
});
