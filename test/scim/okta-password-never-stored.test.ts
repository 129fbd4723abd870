import { expectScim, filterQuery, readBack, sendAsPlainJson, type Json } from '../support/clients.js';
import { oktaUser, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta always sends a password when it creates a user (and on password sync, in the full PUT),
// whether or not the application uses it (Okta Developer, "SCIM 2.0 protocol reference", Create
// the user). keyscope authenticates with API keys, never with user passwords: it accepts the
// attribute and stores it nowhere. RFC 7643 §4.1.1 makes password writeOnly, returned "never".
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

/** Every place a value could land: the user rows and the audit log, as text. */
async function storedText(): Promise<string> {
  const users = await app.db.query<{ row: string }>('SELECT u::text AS row FROM users u');
  const audit = await app.db.query<{ row: string }>('SELECT a::text AS row FROM audit_events a');
  return [...users.rows, ...audit.rows].map((r) => r.row).join('\n');
}

describe('Okta sends a password with every created user', () => {
  const password = 'Okta-Sent-P4ssw0rd!x7';

  it('creates the user from a body sent as application/json and returns no password', async () => {
    // Okta's current test plan sends POST /Users as application/json (RFC 7644 §3.1 allows both).
    const res = await sendAsPlainJson(
      app,
      scim.token,
      'post',
      '/Users',
      oktaUser('nora.quinn@example.com', { password }),
    );
    expectScim(res, 201);
    expect(res.body).toEqual(expect.objectContaining({ userName: 'nora.quinn@example.com', active: true }));
    expect(res.body).not.toHaveProperty('password');

    const read = await readBack(scim, `/Users/${res.body.id}`);
    expect(read).not.toHaveProperty('password');
    expect(read.name).toEqual({ givenName: 'Given', familyName: 'Family' });
  });

  it('returns no password even when asked for it with attributes=password', async () => {
    const list = await scim.get(
      `/Users?${filterQuery('userName eq "nora.quinn@example.com"')}&attributes=password,userName`,
    );
    expectScim(list, 200);
    expect(list.body.totalResults).toBe(1);
    expect(list.body.Resources[0]).not.toHaveProperty('password');
    expect(list.body.Resources[0].userName).toBe('nora.quinn@example.com');
  });

  it('keeps the password out of the database, the audit log and the logs', async () => {
    expect(await storedText()).toContain('nora.quinn@example.com'); // the probe does see the user
    expect(await storedText()).not.toContain(password);
    expect(app.logs()).not.toContain(password);
  });

  it('ignores a new password sent in the full PUT of a profile update', async () => {
    const created = await scim.post('/Users', oktaUser('omar.haddad@example.com', { password }));
    expectScim(created, 201);
    const current = await readBack(scim, `/Users/${created.body.id}`);
    const newPassword = 'Rotated-By-Okta-9z!';

    const put = await scim.put(`/Users/${created.body.id}`, { ...current, password: newPassword } satisfies Json);
    expectScim(put, 200);
    expect(put.body).not.toHaveProperty('password');

    expect(await readBack(scim, `/Users/${created.body.id}`)).not.toHaveProperty('password');
    const stored = await storedText();
    expect(stored).not.toContain(newPassword);
    expect(stored).not.toContain(password);
    expect(app.logs()).not.toContain(newPassword);
  });

  it('ignores a password set with PATCH', async () => {
    const created = await scim.post('/Users', oktaUser('pia.lund@example.com', { password }));
    const patchPassword = 'Patched-Pw-4q!';
    const res = await scim.patch(`/Users/${created.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { password: patchPassword } }],
    });
    expectScim(res, 200);
    expect(res.body).not.toHaveProperty('password');
    expect(await readBack(scim, `/Users/${created.body.id}`)).not.toHaveProperty('password');
    expect(await storedText()).not.toContain(patchPassword);
  });
});
