import { createUser, entraUser, expectScimError } from '../support/clients.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * A SCIM error's `detail` (RFC 7644 §3.12) is written for the person reading the identity
 * provider's provisioning log: keyscope's own words, naming the operation (as the client numbered
 * it) and the attribute, never a JavaScript engine message ("Cannot add property a, object is not
 * extensible") or a library's internals (its own operation numbering, its class names).
 */
let app: TestApp;
let scim: ScimClient;
let userId: string;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  userId = (await createUser(scim, entraUser('errors@contoso.com'))).id;
});
afterAll(() => app.close());

const NOT_OUR_WORDS =
  /Cannot |is not a function|is not iterable|not extensible|undefined|\[object |trap returned|Unexpected token|constructor|SchemaDefinition|PatchOp request body|TypeError|tokens\[|'(add|remove|replace)' op/;

type Case = [what: string, body: unknown, scimType: string, detail: RegExp];

const patchCases: Case[] = [
  [
    'a nested object where the extension expects a string',
    patchOp({ op: 'replace', path: `${ENTERPRISE}:department`, value: { name: 'Sales' } }),
    'invalidValue',
    /^Operation 1: .*department.* string/,
  ],
  [
    'an extension value with an attribute the extension does not have',
    patchOp({ op: 'add', path: ENTERPRISE, value: { shoeSize: { eu: 42 } } }),
    'invalidPath',
    /^Operation 1: .*shoeSize/,
  ],
  [
    'an extension value that is a string',
    patchOp({ op: 'add', path: ENTERPRISE, value: 'Sales' }),
    'invalidValue',
    /^Operation 1: .*enterprise:2\.0:User.* object/,
  ],
  [
    'an extension value whose attribute is null inside an unknown name',
    patchOp({ op: 'add', path: ENTERPRISE, value: { value: null } }),
    'invalidPath',
    /^Operation 1: .*"value"/,
  ],
  [
    'a manager value with a sub-attribute manager does not have',
    patchOp({ op: 'add', path: `${ENTERPRISE}:manager`, value: { id: { nested: 1 } } }),
    'invalidPath',
    /^Operation 1: .*manager.*"id"/,
  ],
  [
    'a manager whose value is an object',
    patchOp({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: { id: 'x' } } }),
    'invalidValue',
    /^Operation 1: .*manager\.value.* string/,
  ],
  [
    'a number where a string sub-attribute is expected',
    patchOp({ op: 'add', path: 'name.formatted', value: 5 }),
    'invalidValue',
    /^Operation 1: .*name\.formatted.* string/,
  ],
  [
    'a string where a complex attribute is expected, in a pathless value',
    patchOp({ op: 'replace', value: { name: 'Barbara Jensen' } }),
    'invalidValue',
    /^Operation 1: .*"name".* object/,
  ],
  [
    'remove of e-mails with values that are not e-mails',
    patchOp({ op: 'remove', path: 'emails', value: { a: { b: 1 } } }),
    'invalidPath',
    /^Operation 1: .*emails.*"a"/,
  ],
  [
    'remove of e-mails with a list of lists',
    patchOp({ op: 'remove', path: 'emails', value: [[1]] }),
    'invalidValue',
    /^Operation 1: .*emails/,
  ],
  [
    'remove of e-mails with a value that is a list',
    patchOp({ op: 'remove', path: 'emails', value: [{ value: [1, 2] }] }),
    'invalidValue',
    /^Operation 1: .*emails\.value/,
  ],
  [
    'remove of e-mails with an empty object',
    patchOp({ op: 'remove', path: 'emails', value: {} }),
    'invalidValue',
    /^Operation 1: .*emails/,
  ],
  [
    'remove of a sub-attribute of every e-mail with a value',
    patchOp({ op: 'remove', path: 'emails.value', value: 5 }),
    'invalidPath',
    /^Operation 1: .*emails\.value.*filter/,
  ],
  [
    'remove of userName',
    patchOp({ op: 'remove', path: 'userName' }),
    'invalidValue',
    /^Operation 1: .*userName.* required/,
  ],
  [
    'a bad third operation, numbered as the client numbered it',
    patchOp(
      { op: 'replace', path: 'title', value: 'Lead' },
      { op: 'replace', value: { displayName: 'B. Jensen', nickName: 'Babs' } },
      { op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: { id: 7 } },
    ),
    'invalidValue',
    /^Operation 3: .*employeeNumber.* string/,
  ],
  [
    'a filter that matches no element and cannot make one',
    patchOp({ op: 'add', path: 'emails[type eq "work"]', value: true }),
    'invalidValue',
    /^Operation 1: .*emails/,
  ],
];

const postCases: Case[] = [
  [
    'an extension attribute that is an object',
    entraUser('bad1@contoso.com', { [ENTERPRISE]: { employeeNumber: { id: 1 } } }),
    'invalidValue',
    /employeeNumber.* string/,
  ],
  [
    'a manager value that is an object',
    entraUser('bad2@contoso.com', { [ENTERPRISE]: { manager: { value: { id: 1 } } } }),
    'invalidValue',
    /manager\.value.* string/,
  ],
  ['e-mails that are not a list', entraUser('bad3@contoso.com', { emails: 5 }), 'invalidValue', /emails.* list/],
  ['a name that is a string', entraUser('bad4@contoso.com', { name: 'Barbara' }), 'invalidValue', /"name".* object/],
  [
    'a profileUrl that is not a URL',
    entraUser('bad5@contoso.com', { profileUrl: 'my profile' }),
    'invalidValue',
    /profileUrl/,
  ],
  ['an e-mail that is a number', entraUser('bad6@contoso.com', { emails: [5] }), 'invalidValue', /emails.* object/],
];

describe('PATCH errors', () => {
  it.each(patchCases)('%s', async (_what, body, scimType, detail) => {
    const res = await scim.patch(`/Users/${userId}`, body);
    expectScimError(res, 400, scimType);
    expect(res.body.detail).toMatch(detail);
    expect(res.body.detail).not.toMatch(NOT_OUR_WORDS);
  });
});

describe('POST and PUT errors', () => {
  it.each(postCases)('%s', async (_what, body, scimType, detail) => {
    for (const res of [await scim.post('/Users', body), await scim.put(`/Users/${userId}`, body)]) {
      expectScimError(res, 400, scimType);
      expect(res.body.detail).toMatch(detail);
      expect(res.body.detail).not.toMatch(NOT_OUR_WORDS);
    }
  });
});
