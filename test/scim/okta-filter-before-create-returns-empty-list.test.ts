import { createUser, expectEmptyList, expectScim, filterQuery, LIST_SCHEMA } from '../support/clients.js';
import { oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta looks a user up before creating it (Okta Developer, "SCIM 2.0 protocol reference": "Determine
// if the user already exists"): GET /Users?filter=userName eq "..."&startIndex=1&count=100, and
// expects 200 with an empty ListResponse, never 404 (RFC 7644 §3.4.2: a query that matches nothing
// is still a successful query).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const lookup = (userName: string) => `/Users?${filterQuery(`userName eq "${userName}"`)}&startIndex=1&count=100`;

describe('Okta looks a user up by userName before creating it', () => {
  it('answers 200 with an empty ListResponse when no user has that userName', async () => {
    const res = await scim.get(lookup('isabella.ward@example.com'));
    expectEmptyList(res);
    expect(res.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('still answers an empty list when other users exist', async () => {
    await createUser(scim, oktaUser('someone.else@example.com'));
    expectEmptyList(await scim.get(lookup('isabella.ward@example.com')));
  });

  it('finds the user with the same request once it was created, whatever the case Okta sends', async () => {
    const created = await createUser(scim, oktaUser('Marcus.Lee@example.com'));

    for (const userName of ['Marcus.Lee@example.com', 'marcus.lee@example.com', 'MARCUS.LEE@EXAMPLE.COM']) {
      const res = await scim.get(lookup(userName));
      expectScim(res, 200);
      expect(res.body).toEqual(
        expect.objectContaining({ schemas: [LIST_SCHEMA], totalResults: 1, itemsPerPage: 1, startIndex: 1 }),
      );
      expect(res.body.Resources).toHaveLength(1);
      expect(res.body.Resources[0]).toEqual(
        expect.objectContaining({ id: created.id, userName: 'Marcus.Lee@example.com' }),
      );
    }
  });
});
