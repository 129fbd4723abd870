import { createUser, expectScim, filterQuery, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta deactivates with a PATCH whose replace has no path and a value of {"active": false} (Okta
// Developer, "SCIM 2.0 protocol reference", Update a specific User (PATCH); the 2023 test plan's
// "Deactivate User" step expects 200 and active false). RFC 7644 §3.5.2.3: a replace without path
// replaces the attributes named in the value. Okta never deletes users: a deactivated user stays,
// readable and found by its userName, so a later reactivation can find it again.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const deactivate = patchOp({ op: 'replace', value: { active: false } });

describe('Okta deactivates a user with a pathless replace', () => {
  it('answers 200 with active false and reads back deactivated, every other attribute untouched', async () => {
    const created = await createUser(scim, oktaUser('wanda.stone@example.com', { title: 'Analyst' }));
    const before = await readBack(scim, `/Users/${created.id}`);

    const res = await scim.patch(`/Users/${created.id}`, deactivate);
    expectScim(res, 200);
    expect(res.body.id).toBe(created.id);
    expect(res.body.active).toBe(false);

    const after = await readBack(scim, `/Users/${created.id}`);
    expect(after.active).toBe(false);
    const strip = ({ meta: _meta, active: _active, ...doc }: Json) => doc;
    expect(strip(after)).toEqual(strip(before));
  });

  it('keeps the deactivated user listed and found by userName, as Okta never deletes users', async () => {
    const created = await createUser(scim, oktaUser('xavier.bloom@example.com'));
    expectScim(await scim.patch(`/Users/${created.id}`, deactivate), 200);

    const found = await scim.get(
      `/Users?${filterQuery('userName eq "xavier.bloom@example.com"')}&startIndex=1&count=100`,
    );
    expectScim(found, 200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toEqual(expect.objectContaining({ id: created.id, active: false }));

    const inactive = await scim.get(`/Users?${filterQuery('active eq false')}`);
    expect((inactive.body.Resources as Json[]).map((u) => u.id)).toContain(created.id);
  });

  it('reactivates the user with the same pathless replace and active true', async () => {
    const created = await createUser(scim, oktaUser('yara.finch@example.com'));
    expectScim(await scim.patch(`/Users/${created.id}`, deactivate), 200);

    const res = await scim.patch(`/Users/${created.id}`, patchOp({ op: 'replace', value: { active: true } }));
    expectScim(res, 200);
    expect(res.body.active).toBe(true);
    expect((await readBack(scim, `/Users/${created.id}`)).active).toBe(true);
  });

  it('answers 200 with the user when it is already deactivated (nothing to change)', async () => {
    const created = await createUser(scim, oktaUser('zoe.parker@example.com', { active: false }));
    const res = await scim.patch(`/Users/${created.id}`, deactivate);
    expectScim(res, 200);
    expect(res.body).toEqual(
      expect.objectContaining({ id: created.id, active: false, userName: 'zoe.parker@example.com' }),
    );
  });
});
