import { expectEmptyList, expectScimError, filterQuery } from '../support/clients.js';
import {
  GROUP_SCHEMA,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

// Okta's test plans GET a user id that does not exist (a random non-UUID string such as
// "010101001010101010") and require 404 with the Error schema, "status": "404" and a detail (RFC 7644
// §3.12). keyscope's ids are UUIDs; any other id must be a plain 404, never a 400 or a 500 from the
// database refusing to cast it.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const nonUuids = ['010101001010101010', 'abc', '123', '00ujl29u0le5T6Aj10h7', 'not-a-uuid-at-all-0000-000000000000'];
const unknownUuid = '5ae3b0d1-6a4f-4b6a-9c1e-2f1d0c3b4a59';

describe('Okta asks for an id that is not a keyscope id', () => {
  it.each(nonUuids)('answers GET /Users/%s with 404 and a SCIM error body', async (id) => {
    expectScimError(await scim.get(`/Users/${id}`), 404);
  });

  it.each(nonUuids)('answers GET /Groups/%s with 404 and a SCIM error body', async (id) => {
    expectScimError(await scim.get(`/Groups/${id}`), 404);
  });

  it('answers 404 for a well-formed UUID that names no user or group', async () => {
    expectScimError(await scim.get(`/Users/${unknownUuid}`), 404);
    expectScimError(await scim.get(`/Groups/${unknownUuid}`), 404);
  });

  it('answers 404 to PUT, PATCH and DELETE on a non-UUID id', async () => {
    const id = '010101001010101010';
    expectScimError(await scim.put(`/Users/${id}`, oktaUser('ghost@example.com')), 404);
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } })), 404);
    expectScimError(await scim.delete(`/Users/${id}`), 404);
    expectScimError(
      await scim.put(`/Groups/${id}`, { schemas: [GROUP_SCHEMA], displayName: 'Ghost', members: [] }),
      404,
    );
    expectScimError(
      await scim.patch(`/Groups/${id}`, patchOp({ op: 'replace', value: { displayName: 'Ghost' } })),
      404,
    );
    expectScimError(await scim.delete(`/Groups/${id}`), 404);
  });

  it('finds nothing, rather than failing, when a filter compares id with a non-UUID', async () => {
    expectEmptyList(await scim.get(`/Users?${filterQuery('id eq "010101001010101010"')}`));
    expectEmptyList(await scim.get(`/Groups?${filterQuery('id eq "abc"')}`));
  });
});
