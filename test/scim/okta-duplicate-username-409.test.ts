import { createUser, expectScimError, filterQuery, readBack } from '../support/clients.js';
import { oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta's test plans POST the same user twice and require 409 the second time (RFC 7644 §3.3: "If
// the service provider determines that the creation of the requested resource conflicts with
// existing resources ... 409 (Conflict) with a 'scimType' error code of 'uniqueness'").
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Okta creates a user whose userName already exists', () => {
  it('answers 409 uniqueness with a SCIM error body and keeps the first user as it was', async () => {
    const first = await createUser(scim, oktaUser('quentin.ross@example.com', { displayName: 'Quentin Ross' }));

    const again = await scim.post('/Users', oktaUser('quentin.ross@example.com', { displayName: 'Someone Else' }));
    expectScimError(again, 409, 'uniqueness');

    const read = await readBack(scim, `/Users/${first.id}`);
    expect(read.displayName).toBe('Quentin Ross');
    const list = await scim.get(`/Users?${filterQuery('userName eq "quentin.ross@example.com"')}`);
    expect(list.body.totalResults).toBe(1);
  });

  it('treats a userName differing only in case as the same userName', async () => {
    // RFC 7643 §4.1.1: userName is caseExact false and unique, so "A@x" and "a@x" collide.
    await createUser(scim, oktaUser('Rita.Moreno@example.com'));
    expectScimError(await scim.post('/Users', oktaUser('rita.moreno@EXAMPLE.com')), 409, 'uniqueness');
    const list = await scim.get(`/Users?${filterQuery('userName eq "rita.moreno@example.com"')}`);
    expect(list.body.totalResults).toBe(1);
  });

  it("refuses renaming a user onto another user's userName with a full PUT", async () => {
    const a = await createUser(scim, oktaUser('sam.one@example.com'));
    await createUser(scim, oktaUser('sam.two@example.com'));
    const current = await readBack(scim, `/Users/${a.id}`);

    expectScimError(
      await scim.put(`/Users/${a.id}`, { ...current, userName: 'SAM.TWO@example.com' }),
      409,
      'uniqueness',
    );
    expect((await readBack(scim, `/Users/${a.id}`)).userName).toBe('sam.one@example.com');
  });
});
