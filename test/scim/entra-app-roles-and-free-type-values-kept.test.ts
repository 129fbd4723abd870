import { createUser, entraUser, expectScim, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// When app roles are mapped, Entra ID sends each role as {"primary", "type":
// "WindowsAzureActiveDirectoryRole", "value"} (Microsoft Learn, "Customize user provisioning
// attribute-mappings", Provisioning a role to a SCIM app). RFC 7643 §7: canonicalValues are values
// that "MAY be used"; §8.7.1 lists none for roles, entitlements or x509Certificates, and for
// emails[].type work/home/other are examples, not a closed set. keyscope keeps any `type` as sent.
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const appRole = { primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Approver' };

describe('type values outside the suggested canonical ones are kept', () => {
  it("creates a user with Entra's app-role payload and reads the role back as sent", async () => {
    const res = await scim.post('/Users', entraUser('app.role@contoso.com', { roles: [appRole] }));
    expectScim(res, 201);
    const read = await readBack(scim, `/Users/${res.body.id}`);
    expect(read.roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Approver' }]);
  });

  it("adds an app role with Entra's PATCH and keeps the type", async () => {
    const user = await createUser(scim, entraUser('role.patch@contoso.com'));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'Add',
        path: 'roles',
        value: [{ primary: 'False', type: 'WindowsAzureActiveDirectoryRole', value: 'Reader' }],
      }),
    );
    expectScim(res, 200);
    expect((await readBack(scim, `/Users/${user.id}`)).roles).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', value: 'Reader' },
    ]);
  });

  it('keeps an x509Certificates type', async () => {
    const cert = { type: 'signing', value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw' };
    const user = await createUser(scim, oktaUser('cert.holder@example.com', { x509Certificates: [cert] }));
    expect((await readBack(scim, `/Users/${user.id}`)).x509Certificates).toEqual([cert]);
  });

  it('keeps e-mail and phone types other than the suggested ones, in the case sent', async () => {
    const emails = [
      { value: 'pat@school.example', type: 'school', primary: true },
      { value: 'pat@Work.example', type: 'Work' },
    ];
    const phoneNumbers = [{ value: 'tel:+1-201-555-0123', type: 'satellite' }];
    const user = await createUser(scim, oktaUser('pat@school.example', { emails, phoneNumbers }));
    const read = await readBack(scim, `/Users/${user.id}`);
    expect(read.emails).toEqual(emails);
    expect(read.phoneNumbers).toEqual(phoneNumbers);
  });

  it('still lists the suggested canonical values in /Schemas (RFC 7643 §7)', async () => {
    const res = await scim.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User');
    expectScim(res, 200);
    const emails = (res.body.attributes as Json[]).find((a) => a.name === 'emails')!;
    const type = (emails.subAttributes as Json[]).find((a) => a.name === 'type')!;
    expect(type.canonicalValues).toEqual(['work', 'home', 'other']);
  });
});
