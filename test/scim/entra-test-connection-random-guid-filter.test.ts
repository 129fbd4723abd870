import { randomUUID } from 'node:crypto';
import { createUser, entraUser, expectEmptyList, expectScimError, filterQuery } from '../support/clients.js';
import { scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Entra ID's "Test Connection" queries the matching attribute with a random GUID and expects 200 with
// an empty ListResponse (Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM
// endpoint", Get User by query - Zero results). Anything else fails the connection test.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  await createUser(scim, entraUser('existing.user@contoso.com'));
});
afterAll(() => app.close());

describe('Entra ID tests the connection with a random GUID', () => {
  it.each(['userName', 'externalId', 'id'])(
    'answers a filter on %s with a random GUID with 200 and an empty list',
    async (attribute) => {
      expectEmptyList(await scim.get(`/Users?${filterQuery(`${attribute} eq "${randomUUID()}"`)}`));
    },
  );

  it('answers the same query with the aadOptscim062020 flag on the URL with 200 and an empty list', async () => {
    expectEmptyList(await scim.get(`/Users?aadOptscim062020&${filterQuery(`userName eq "${randomUUID()}"`)}`));
  });

  it('answers a random-GUID group lookup with 200 and an empty list', async () => {
    expectEmptyList(
      await scim.get(`/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${randomUUID()}"`)}`),
    );
  });

  it('fails the connection test with 401 when the secret token is wrong', async () => {
    const res = await app.http
      .get(`/scim/v2/Users?${filterQuery(`userName eq "${randomUUID()}"`)}`)
      .set('Authorization', 'Bearer not-the-secret-token');
    expectScimError(res, 401);
  });
});
