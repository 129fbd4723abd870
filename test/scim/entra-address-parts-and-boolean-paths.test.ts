import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

let app: TestApp;
let scim: ScimClient;
beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

describe('Entra ID: several parts of a new multi-valued element in one PATCH', () => {
  it('creates one work address from two operations that each set one of its parts', async () => {
    const id = (await scim.post('/Users', oktaUser('addr@example.com'))).body.id as string;
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp(
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Seattle' },
        { op: 'Add', path: 'addresses[type eq "work"].country', value: 'US' },
      ),
    );
    expect(res.status).toBe(200);
    const read = (await scim.get(`/Users/${id}`)).body as { addresses: unknown[] };
    expect(read.addresses).toEqual([{ type: 'work', locality: 'Seattle', country: 'US' }]);
  });

  it('does the same for the keys of one pathless value', async () => {
    const id = (await scim.post('/Users', oktaUser('addr2@example.com'))).body.id as string;
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp({
        op: 'replace',
        value: { 'addresses[type eq "work"].locality': 'Oslo', 'addresses[type eq "work"].postalCode': '0150' },
      }),
    );
    expect(res.status).toBe(200);
    expect((await scim.get(`/Users/${id}`)).body.addresses).toEqual([
      { type: 'work', locality: 'Oslo', postalCode: '0150' },
    ]);
  });
});

describe('Entra ID: booleans written as strings in value filters', () => {
  it('reads roles[primary eq "True"] as the primary role', async () => {
    const id = (
      await scim.post(
        '/Users',
        oktaUser('roles@example.com', { roles: [{ value: 'reader', primary: true }, { value: 'writer' }] }),
      )
    ).body.id as string;
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp({ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'admin' }),
    );
    expect(res.status).toBe(200);
    expect((await scim.get(`/Users/${id}`)).body.roles).toEqual([
      { value: 'admin', primary: true },
      { value: 'writer' },
    ]);
  });

  it('creates the primary role from roles[primary eq "True"].value when there is none', async () => {
    const id = (await scim.post('/Users', oktaUser('roles2@example.com'))).body.id as string;
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp({ op: 'Add', path: 'roles[primary eq "True"].value', value: 'viewer' }),
    );
    expect(res.status).toBe(200);
    expect((await scim.get(`/Users/${id}`)).body.roles).toEqual([{ primary: true, value: 'viewer' }]);
  });
});
