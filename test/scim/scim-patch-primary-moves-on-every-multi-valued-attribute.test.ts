import { createUser, expectScim, readBack, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// RFC 7643 §2.4: "primary" is true on at most one value of a multi-valued attribute; RFC 7644
// §3.5.2: when a PATCH makes a value primary, the server sets primary to false on the others.
// That holds for every multi-valued attribute with a primary sub-attribute, addresses included
// (whose elements have no `value` to tell them apart).
let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
});
afterAll(() => app.close());

const primaries = (list: unknown) => (list as Json[]).filter((e) => e.primary === true);

describe('making an address primary', () => {
  const addresses = [
    { type: 'work', streetAddress: '1 Work Way', locality: 'Springfield', primary: true },
    { type: 'home', streetAddress: '2 Home Road', locality: 'Shelbyville' },
  ];

  it('through addresses[type eq "home"].primary takes primary from the work address', async () => {
    const user = await createUser(scim, oktaUser('addr.filter@example.com', { addresses }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'addresses[type eq "home"].primary', value: true }),
    );
    expectScim(res, 200);
    const read = (await readBack(scim, `/Users/${user.id}`)).addresses as Json[];
    expect(primaries(read)).toEqual([expect.objectContaining({ type: 'home', streetAddress: '2 Home Road' })]);
    expect(read.find((a) => a.type === 'work')).toEqual(
      expect.objectContaining({ streetAddress: '1 Work Way', locality: 'Springfield', primary: false }),
    );
  });

  it('by adding a new primary address takes primary from the old one', async () => {
    const user = await createUser(scim, oktaUser('addr.add@example.com', { addresses }));
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({
        op: 'add',
        path: 'addresses',
        value: [{ type: 'other', streetAddress: '3 New Street', primary: true }],
      }),
    );
    expectScim(res, 200);
    const read = (await readBack(scim, `/Users/${user.id}`)).addresses as Json[];
    expect(read).toHaveLength(3);
    expect(primaries(read)).toEqual([expect.objectContaining({ streetAddress: '3 New Street' })]);
  });
});

describe.each([
  ['phoneNumbers', { value: 'tel:+1-201-555-0100', type: 'work' }, { value: 'tel:+1-201-555-0199', type: 'mobile' }],
  ['ims', { value: 'someone', type: 'xmpp' }, { value: 'someone-else', type: 'skype' }],
  [
    'photos',
    { value: 'https://photos.example.com/1.jpg', type: 'photo' },
    { value: 'https://photos.example.com/2.jpg', type: 'thumbnail' },
  ],
  ['entitlements', { value: 'old-entitlement' }, { value: 'new-entitlement' }],
  [
    'roles',
    { value: 'Reader', type: 'WindowsAzureActiveDirectoryRole' },
    { value: 'Approver', type: 'WindowsAzureActiveDirectoryRole' },
  ],
  ['x509Certificates', { value: 'MIIBAAAA' }, { value: 'MIIBBBBB' }],
])('%s', (attribute, first, second) => {
  it('has one primary after a PATCH makes another value primary', async () => {
    const user = await createUser(
      scim,
      oktaUser(`${attribute.toLowerCase()}.primary@example.com`, {
        [attribute]: [{ ...first, primary: true }, second],
      }),
    );
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: `${attribute}[value eq "${second.value}"].primary`, value: true }),
    );
    expectScim(res, 200);
    const read = (await readBack(scim, `/Users/${user.id}`))[attribute] as Json[];
    expect(primaries(read)).toEqual([expect.objectContaining({ value: second.value })]);
    expect(read.find((e) => e.value === first.value)).toEqual(expect.objectContaining({ primary: false }));
  });
});
