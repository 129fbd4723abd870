import { createUser, expectScim, readBack, type Json } from '../support/clients.js';
import { USER_SCHEMA, oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta updates a profile by reading the user and sending the whole user back with PUT (Okta
// Developer, "SCIM 2.0 protocol reference", Update a specific User (PUT)). RFC 7644 §3.5.1: PUT
// replaces the resource's attributes; readOnly attributes the client echoes (id, groups, meta) are
// ignored; attributes left out are cleared.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Okta updates a profile with GET then a full PUT', () => {
  it('applies the PUT body Okta sends (with echoed id, empty groups and an empty middleName) and reads it back', async () => {
    const created = await createUser(
      scim,
      oktaUser('test.user@okta.local', { externalId: '00ujl29u0le5T6Aj10h7', locale: 'en-US' }),
    );
    const before = await readBack(scim, `/Users/${created.id}`);

    // The shape of Okta's documented PUT, plus the phone number its 2023 test plan adds.
    const body: Json = {
      schemas: [USER_SCHEMA],
      id: created.id,
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', middleName: '', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
      phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    };
    const put = await scim.put(`/Users/${created.id}`, body);
    expectScim(put, 200);
    expect(put.body).toEqual(
      expect.objectContaining({
        id: created.id,
        userName: 'test.user@okta.local',
        displayName: 'Another User',
        active: true,
        phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
      }),
    );
    expect(put.body.schemas).toContain(USER_SCHEMA);

    const after = await readBack(scim, `/Users/${created.id}`);
    expect(after.id).toBe(created.id);
    expect(after.name).toEqual({ givenName: 'Another', familyName: 'User' });
    expect(after.displayName).toBe('Another User');
    expect(after.externalId).toBe('00ujl29u0le5T6Aj10h7');
    expect(after.phoneNumbers).toEqual([{ value: '555-555-5555', type: 'work' }]);
    expect(after).not.toHaveProperty('password');
    expect((after.meta as Json).created).toBe((before.meta as Json).created);
    expect((after.meta as Json).version).not.toBe((before.meta as Json).version);
  });

  it('clears attributes the full PUT leaves out', async () => {
    const created = await createUser(scim, oktaUser('uma.ford@example.com', { title: 'Engineer', nickName: 'Umi' }));
    const current = await readBack(scim, `/Users/${created.id}`);
    const { title: _title, nickName: _nickName, ...rest } = current;

    expectScim(await scim.put(`/Users/${created.id}`, rest), 200);
    const after = await readBack(scim, `/Users/${created.id}`);
    expect(after).not.toHaveProperty('title');
    expect(after).not.toHaveProperty('nickName');
    expect(after.userName).toBe('uma.ford@example.com');
  });

  it('accepts the document exactly as GET returned it (meta and all) and changes nothing else', async () => {
    const created = await createUser(scim, oktaUser('victor.hale@example.com', { title: 'Manager' }));
    const current = await readBack(scim, `/Users/${created.id}`);

    const put = await scim.put(`/Users/${created.id}`, { ...current, title: 'Director' });
    expectScim(put, 200);
    const after = await readBack(scim, `/Users/${created.id}`);
    const strip = ({ meta: _meta, title: _title, ...doc }: Json) => doc;
    expect(strip(after)).toEqual(strip(current));
    expect(after.title).toBe('Director');
  });
});
