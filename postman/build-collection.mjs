#!/usr/bin/env node
// Writes keyscope.postman_collection.json (Postman v2.1) beside this file.
// The collection is generated so that its test scripts stay readable here; edit this file, run
// `node postman/build-collection.mjs`, and commit both. `--check` exits 1 when the JSON is stale.
//
// What the collection does (README "Conformance: public test plans"): creates its own SCIM key
// with {{adminKey}}, runs Okta's and Entra ID's provisioning flows (both PATCH dialects), the admin
// key lifecycle and the access API, then deletes every user and group and revokes every key it
// created. Names carry a per-run id ({{run}}), so it runs against any server, any number of times.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'keyscope.postman_collection.json');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCHOP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// ---------------------------------------------------------------------------------------------
// script snippets

const lines = (s) =>
  s
    .replace(/^\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');

/** The status, and the content type when there is a body. */
const expectStatus = (code) => `pm.test("status ${code}", () => pm.response.to.have.status(${code}));`;
const expectType = (re, label) =>
  `pm.test("Content-Type ${label}", () => pm.expect(pm.response.headers.get("Content-Type") || "").to.match(${re}));`;
const SCIM_TYPE = expectType('/^application\\/scim\\+json/', 'application/scim+json');
const JSON_TYPE = expectType('/^application\\/json/', 'application/json');
const PROBLEM_TYPE = expectType('/^application\\/problem\\+json/', 'application/problem+json');

const scim = (code) => [expectStatus(code), SCIM_TYPE, 'const body = pm.response.json();'];
const json = (code) => [expectStatus(code), JSON_TYPE, 'const body = pm.response.json();'];
const problem = (code, errorCode) => [
  expectStatus(code),
  PROBLEM_TYPE,
  'const body = pm.response.json();',
  `pm.test("problem details with code ${errorCode}", () => {`,
  `  pm.expect(body.status).to.equal(${code});`,
  '  pm.expect(body.title).to.be.a("string").and.not.empty;',
  `  pm.expect(body.code).to.equal(${JSON.stringify(errorCode)});`,
  '});',
];
const noContent = () => [expectStatus(204), 'pm.test("no body", () => pm.expect(pm.response.text()).to.equal(""));'];
/** A SCIM error: status (a string, RFC 7644 §3.12), Error schema, optional scimType. */
const scimError = (code, scimType) => [
  ...scim(code),
  `pm.test("SCIM error ${code}${scimType ? ` ${scimType}` : ''}", () => {`,
  `  pm.expect(body.schemas).to.eql(["${ERROR}"]);`,
  `  pm.expect(body.status).to.equal("${code}");`,
  '  pm.expect(body.detail).to.be.a("string").and.not.empty;',
  ...(scimType ? [`  pm.expect(body.scimType).to.equal("${scimType}");`] : []),
  '});',
];
const emptyList = (label = 'empty ListResponse') => [
  ...scim(200),
  `pm.test(${JSON.stringify(label)}, () => {`,
  `  pm.expect(body.schemas).to.eql(["${LIST}"]);`,
  '  pm.expect(body.totalResults).to.equal(0);',
  '  pm.expect(body.startIndex).to.equal(1);',
  '  pm.expect(body.Resources).to.eql([]);',
  '});',
];

/** Remember an id for the Cleanup folder (before any assertion, so a failing check still cleans up). */
const track = (list, expr) =>
  `(function (k, id) { const l = JSON.parse(pm.collectionVariables.get(k) || "[]"); if (id && !l.includes(id)) l.push(id); pm.collectionVariables.set(k, JSON.stringify(l)); })(${JSON.stringify(list)}, ${expr});`;
const untrack = (list, expr) =>
  `(function (k, id) { pm.collectionVariables.set(k, JSON.stringify(JSON.parse(pm.collectionVariables.get(k) || "[]").filter((x) => x !== id))); })(${JSON.stringify(list)}, ${expr});`;
const set = (name, expr) => `pm.collectionVariables.set(${JSON.stringify(name)}, ${expr});`;
const v = (name) => `pm.collectionVariables.get(${JSON.stringify(name)})`;

// ---------------------------------------------------------------------------------------------
// items

const bearer = (token) => ({ type: 'bearer', bearer: [{ key: 'token', value: token, type: 'string' }] });

const names = new Set();
function request({
  name,
  method = 'GET',
  url,
  body,
  contentType = 'application/scim+json',
  headers = [],
  auth,
  pre,
  test,
  description,
}) {
  if (names.has(name)) throw new Error(`duplicate request name ${name}`);
  names.add(name);
  const header = [...headers];
  if (body !== undefined) header.unshift({ key: 'Content-Type', value: contentType });
  const event = [];
  if (pre)
    event.push({
      listen: 'prerequest',
      script: { type: 'text/javascript', exec: Array.isArray(pre) ? pre : lines(pre) },
    });
  if (!test?.length) throw new Error(`request ${name} asserts nothing`);
  event.push({
    listen: 'test',
    script: { type: 'text/javascript', exec: test.flatMap((t) => (Array.isArray(t) ? t : lines(t))) },
  });
  const item = {
    name,
    event,
    request: {
      method,
      header,
      url,
      ...(description ? { description } : {}),
      ...(auth ? { auth } : {}),
      ...(body !== undefined
        ? { body: { mode: 'raw', raw: typeof body === 'string' ? body : JSON.stringify(body, null, 2) } }
        : {}),
    },
  };
  return item;
}
const folder = (name, description, item, auth) => ({ name, description, item, ...(auth ? { auth } : {}) });

const SCIM = '{{baseUrl}}/scim/v2';
const API = '{{baseUrl}}/api/v1';
const patchOp = (...Operations) => ({ schemas: [PATCHOP], Operations });
const memberIds = 'const ids = (body.members || []).map((m) => m.value).sort();';

// ---------------------------------------------------------------------------------------------
// Setup

const setup = folder(
  'Setup',
  'Creates the SCIM key every SCIM request uses (the admin key has no SCIM flag) and a per-run id for unique names.',
  [
    request({
      name: 'Create the SCIM key',
      method: 'POST',
      url: `${API}/keys`,
      contentType: 'application/json',
      body: {
        name: 'postman SCIM {{run}}',
        description: 'Postman collection run {{run}}',
        scim: true,
        expiration: 'never',
      },
      pre: `
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
pm.collectionVariables.set("run", run);
for (const k of ["cleanupScimGroups", "cleanupScimUsers", "cleanupLocalGroups", "cleanupKeys"]) pm.collectionVariables.set(k, "[]");
`,
      test: [
        ...json(201),
        track('cleanupKeys', 'body.key && body.key.id'),
        set('scimToken', 'body.token'),
        set('scimKeyId', 'body.key && body.key.id'),
        `pm.test("token shown once with Cache-Control: no-store", () => {
  pm.expect(pm.response.headers.get("Cache-Control")).to.include("no-store");
  pm.expect(body.token).to.match(/^ksk_[0-9A-Za-z]+_[0-9A-Za-z]+$/);
});
pm.test("a SCIM service key that never expires", () => {
  pm.expect(body.key.scim).to.equal(true);
  pm.expect(body.key.kind).to.equal("service");
  pm.expect(body.key.status).to.equal("active");
  pm.expect(body.key.expiresAt).to.equal(null);
  pm.expect(body.key).to.not.have.property("token");
});`,
      ],
    }),
    request({
      name: 'ServiceProviderConfig',
      url: `${SCIM}/ServiceProviderConfig`,
      auth: bearer('{{scimToken}}'),
      test: [
        ...scim(200),
        `pm.test("PATCH, filter, sort, ETag supported", () => {
  pm.expect(body.schemas).to.include("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
  pm.expect(body.patch.supported).to.equal(true);
  pm.expect(body.filter.supported).to.equal(true);
  pm.expect(body.filter.maxResults).to.be.a("number");
  pm.expect(body.sort.supported).to.equal(true);
  pm.expect(body.etag.supported).to.equal(true);
  pm.expect(body.authenticationSchemes).to.be.an("array").that.is.not.empty;
});`,
      ],
    }),
  ],
  bearer('{{adminKey}}'),
);

// ---------------------------------------------------------------------------------------------
// Okta

const oktaUser = (n, extra = {}) => ({
  schemas: [USER],
  userName: `okta.{{run}}.${n}@example.com`,
  name: { givenName: `Okta${n}`, familyName: 'Tester' },
  emails: [{ primary: true, value: `okta.{{run}}.${n}@example.com`, type: 'work' }],
  displayName: `Okta${n} Tester`,
  locale: 'en-US',
  externalId: `00u{{run}}${n}`,
  groups: [],
  password: 'T3mp-Passw0rd!',
  active: true,
  ...extra,
});
const createOktaUser = (n, name) =>
  request({
    name,
    method: 'POST',
    url: `${SCIM}/Users`,
    contentType: 'application/json',
    body: oktaUser(n),
    test: [
      ...scim(201),
      track('cleanupScimUsers', 'body.id'),
      set(`oktaUser${n}Id`, 'body.id'),
      `pm.test("created as sent, password not echoed", () => {
  pm.expect(body.schemas).to.include("${USER}");
  pm.expect(body.id).to.match(/^[0-9a-f-]{36}$/);
  pm.expect(body.userName).to.equal("okta." + ${v('run')} + ".${n}@example.com");
  pm.expect(body.name).to.eql({ givenName: "Okta${n}", familyName: "Tester" });
  pm.expect(body.emails[0].value).to.equal(body.userName);
  pm.expect(body.active).to.equal(true);
  pm.expect(body).to.not.have.property("password");
  pm.expect(body.meta.resourceType).to.equal("User");
  pm.expect(pm.response.headers.get("Location")).to.equal(body.meta.location);
  pm.expect(body.meta.location).to.match(new RegExp("/scim/v2/Users/" + body.id + "$"));
});`,
    ],
  });

const okta = folder(
  'Okta provisioning flow',
  "What Okta's SCIM 2.0 provisioning sends (Okta's SCIM docs and its SPEC test plan): lookup before create, POST with a password, GET then full PUT, deactivation by a pathless replace, group push with `members: []`, rename carrying the read-only id, membership remove and add in one PATCH, import paging.",
  [
    request({
      name: 'Okta: lookup by userName before create (empty list)',
      url: `${SCIM}/Users?filter=userName eq "okta.{{run}}.1@example.com"&startIndex=1&count=100`,
      test: [
        ...emptyList('200 with an empty ListResponse, never 404'),
        'pm.test("itemsPerPage 0", () => pm.expect(body.itemsPerPage).to.equal(0));',
      ],
    }),
    createOktaUser(1, 'Okta: create user with password'),
    request({
      name: 'Okta: create the same user again (409)',
      method: 'POST',
      url: `${SCIM}/Users`,
      contentType: 'application/json',
      body: oktaUser(1),
      test: [...scimError(409, 'uniqueness'), track('cleanupScimUsers', 'body.id')],
    }),
    request({
      name: 'Okta: lookup by userName finds the user',
      url: `${SCIM}/Users?filter=userName eq "okta.{{run}}.1@example.com"&startIndex=1&count=100`,
      test: [
        ...scim(200),
        `pm.test("exactly that user", () => {
  pm.expect(body.schemas).to.eql(["${LIST}"]);
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.itemsPerPage).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${v('oktaUser1Id')});
  pm.expect(body.Resources[0]).to.not.have.property("password");
});`,
      ],
    }),
    request({
      name: 'Okta: lookup is case-insensitive on userName',
      url: `${SCIM}/Users?filter=userName eq "OKTA.{{run}}.1@EXAMPLE.COM"&startIndex=1&count=100`,
      test: [
        ...scim(200),
        `pm.test("userName is caseExact false (RFC 7643 §4.1.1)", () => {
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${v('oktaUser1Id')});
});`,
      ],
    }),
    request({
      name: 'Okta: get user',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      test: [
        ...scim(200),
        set('oktaUser1', 'JSON.stringify(body)'),
        `pm.test("the stored user", () => {
  pm.expect(body.id).to.equal(${v('oktaUser1Id')});
  pm.expect(body.active).to.equal(true);
  pm.expect(body.locale).to.equal("en-US");
  pm.expect(body.externalId).to.equal("00u" + ${v('run')} + "1");
  pm.expect(body.meta.version).to.match(/^W\\/".+"$/);
  pm.expect(pm.response.headers.get("ETag")).to.equal(body.meta.version);
});`,
      ],
    }),
    request({
      name: 'Okta: profile update by full PUT',
      method: 'PUT',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      contentType: 'application/json',
      body: '{{oktaUser1Put}}',
      pre: `
// Okta sends back the whole user it read, changed (with the read-only id and meta, and a password).
const user = JSON.parse(${v('oktaUser1')});
user.name = { givenName: "Okta1", familyName: "Renamed", middleName: "M" };
user.title = "Engineer";
user.password = "T3mp-Passw0rd!";
pm.collectionVariables.set("oktaUser1Put", JSON.stringify(user));
`,
      test: [
        ...scim(200),
        `pm.test("replaced, same id and userName", () => {
  pm.expect(body.id).to.equal(${v('oktaUser1Id')});
  pm.expect(body.userName).to.equal("okta." + ${v('run')} + ".1@example.com");
  pm.expect(body.name).to.eql({ givenName: "Okta1", familyName: "Renamed", middleName: "M" });
  pm.expect(body.title).to.equal("Engineer");
  pm.expect(body).to.not.have.property("password");
  pm.expect(body.meta.version).to.not.equal(JSON.parse(${v('oktaUser1')}).meta.version);
});`,
      ],
    }),
    request({
      name: 'Okta: deactivate (pathless replace active false)',
      method: 'PATCH',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      contentType: 'application/json',
      body: patchOp({ op: 'replace', value: { active: false } }),
      test: [
        ...scim(200),
        `pm.test("200 with the user, now inactive", () => {
  pm.expect(body.id).to.equal(${v('oktaUser1Id')});
  pm.expect(body.active).to.equal(false);
  pm.expect(body.name.familyName).to.equal("Renamed");
});`,
      ],
    }),
    request({
      name: 'Okta: get the deactivated user',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      test: [...scim(200), 'pm.test("active false is stored", () => pm.expect(body.active).to.equal(false));'],
    }),
    createOktaUser(2, 'Okta: create a second user'),
    createOktaUser(3, 'Okta: create a third user'),
    request({
      name: 'Okta: push group with members []',
      method: 'POST',
      url: `${SCIM}/Groups`,
      contentType: 'application/json',
      body: { schemas: [GROUP], displayName: 'okta-group-{{run}}', members: [] },
      test: [
        ...scim(201),
        track('cleanupScimGroups', 'body.id'),
        set('oktaGroupId', 'body.id'),
        `pm.test("created, no members", () => {
  pm.expect(body.schemas).to.include("${GROUP}");
  pm.expect(body.displayName).to.equal("okta-group-" + ${v('run')});
  pm.expect(body.members || []).to.eql([]);
  pm.expect(body.meta.resourceType).to.equal("Group");
  pm.expect(pm.response.headers.get("Location")).to.equal(body.meta.location);
});`,
      ],
    }),
    request({
      name: 'Okta: add the first member',
      method: 'PATCH',
      url: `${SCIM}/Groups/{{oktaGroupId}}`,
      contentType: 'application/json',
      body: patchOp({
        op: 'add',
        path: 'members',
        value: [{ value: '{{oktaUser1Id}}', display: 'okta.{{run}}.1@example.com' }],
      }),
      test: [
        ...scim(200),
        memberIds,
        `pm.test("200 with the group and its one member", () => {
  pm.expect(body.id).to.equal(${v('oktaGroupId')});
  pm.expect(ids).to.eql([${v('oktaUser1Id')}]);
});`,
      ],
    }),
    request({
      name: 'Okta: rename with a replace carrying the read-only id',
      method: 'PATCH',
      url: `${SCIM}/Groups/{{oktaGroupId}}`,
      contentType: 'application/json',
      body: patchOp({ op: 'replace', value: { id: '{{oktaGroupId}}', displayName: 'okta-group-{{run}}-renamed' } }),
      test: [
        ...scim(200),
        memberIds,
        `pm.test("renamed; the id in the value is tolerated; members kept", () => {
  pm.expect(body.id).to.equal(${v('oktaGroupId')});
  pm.expect(body.displayName).to.equal("okta-group-" + ${v('run')} + "-renamed");
  pm.expect(ids).to.eql([${v('oktaUser1Id')}]);
});`,
      ],
    }),
    request({
      name: 'Okta: membership remove and add in one request',
      method: 'PATCH',
      url: `${SCIM}/Groups/{{oktaGroupId}}`,
      contentType: 'application/json',
      body: patchOp(
        { op: 'remove', path: 'members[value eq "{{oktaUser1Id}}"]' },
        {
          op: 'add',
          path: 'members',
          value: [
            { value: '{{oktaUser2Id}}', display: 'okta.{{run}}.2@example.com' },
            { value: '{{oktaUser3Id}}', display: 'okta.{{run}}.3@example.com' },
          ],
        },
      ),
      test: [
        ...scim(200),
        memberIds,
        `pm.test("user 1 removed, users 2 and 3 added", () => {
  pm.expect(ids).to.eql([${v('oktaUser2Id')}, ${v('oktaUser3Id')}].sort());
  for (const m of body.members) pm.expect(m.type || "User").to.equal("User");
});`,
      ],
    }),
    request({
      name: "Okta: the member's groups attribute",
      url: `${SCIM}/Users/{{oktaUser2Id}}`,
      test: [
        ...scim(200),
        `pm.test("groups lists the renamed group", () => {
  pm.expect(body.groups).to.be.an("array").with.lengthOf(1);
  pm.expect(body.groups[0].value).to.equal(${v('oktaGroupId')});
  pm.expect(body.groups[0].display).to.equal("okta-group-" + ${v('run')} + "-renamed");
});`,
      ],
    }),
    request({
      name: 'Okta: removed member has no groups',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      test: [...scim(200), 'pm.test("groups is empty", () => pm.expect(body.groups || []).to.eql([]));'],
    }),
    request({
      name: 'Okta: import users, first page (unfiltered)',
      url: `${SCIM}/Users?startIndex=1&count=100`,
      test: [
        ...scim(200),
        `pm.test("a ListResponse page of at most 100", () => {
  pm.expect(body.schemas).to.eql(["${LIST}"]);
  pm.expect(body.totalResults).to.be.at.least(3);
  pm.expect(body.startIndex).to.equal(1);
  pm.expect(body.itemsPerPage).to.equal(Math.min(100, body.totalResults));
  pm.expect(body.Resources).to.have.lengthOf(body.itemsPerPage);
  for (const u of body.Resources) pm.expect(u).to.not.have.property("password");
});`,
      ],
    }),
    ...[1, 3].map((start) =>
      request({
        name: `Okta: import this run's users, page startIndex=${start} count=2`,
        url: `${SCIM}/Users?filter=userName sw "okta.{{run}}."&startIndex=${start}&count=2`,
        test: [
          ...scim(200),
          `const seen = ${start === 1 ? '[]' : `JSON.parse(${v('oktaImportSeen')} || "[]")`};
pm.test("page ${start === 1 ? 1 : 2} of 2, true totalResults", () => {
  pm.expect(body.totalResults).to.equal(3);
  pm.expect(body.startIndex).to.equal(${start});
  pm.expect(body.itemsPerPage).to.equal(${start === 1 ? 2 : 1});
  pm.expect(body.Resources).to.have.lengthOf(${start === 1 ? 2 : 1});
});
const all = seen.concat(body.Resources.map((u) => u.id));
pm.collectionVariables.set("oktaImportSeen", JSON.stringify(all));
${
  start === 1
    ? ''
    : `pm.test("stable order: the two pages hold each user once", () => {
  pm.expect(all.slice().sort()).to.eql([${v('oktaUser1Id')}, ${v('oktaUser2Id')}, ${v('oktaUser3Id')}].sort());
});`
}`,
        ],
      }),
    ),
    request({
      name: 'Okta: import groups',
      url: `${SCIM}/Groups?filter=displayName eq "okta-group-{{run}}-renamed"&startIndex=1&count=100`,
      test: [
        ...scim(200),
        memberIds.replace('body.members', 'body.Resources[0].members'),
        `pm.test("the group with its members", () => {
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${v('oktaGroupId')});
  pm.expect(ids).to.eql([${v('oktaUser2Id')}, ${v('oktaUser3Id')}].sort());
});`,
      ],
    }),
    request({
      name: 'Okta: a non-UUID id is 404',
      url: `${SCIM}/Users/not-a-uuid-{{run}}`,
      test: scimError(404),
    }),
    request({
      name: 'Okta: bad credentials are 401',
      url: `${SCIM}/Users?startIndex=1&count=1`,
      auth: bearer('non-token'),
      test: [
        ...scimError(401),
        'pm.test("WWW-Authenticate: Bearer", () => pm.expect(pm.response.headers.get("WWW-Authenticate")).to.match(/^Bearer /));',
        'pm.test("reason invalid_token", () => pm.expect(body.detail).to.include("invalid_token"));',
      ],
    }),
  ],
  bearer('{{scimToken}}'),
);

// ---------------------------------------------------------------------------------------------
// Entra ID, both dialects

function entra(rfc) {
  const d = rfc ? 'rfc' : 'legacy';
  const D = rfc ? 'Entra RFC' : 'Entra legacy';
  // ?aadOptscim062020 first, then the other parameters (Entra puts it on the tenant URL).
  const u = (p, query = '') => {
    const params = [rfc ? 'aadOptscim062020' : '', query].filter(Boolean).join('&');
    return `${SCIM}${p}${params ? `?${params}` : ''}`;
  };
  const userName = (who) => `entra.${d}.{{run}}.${who}@example.com`;
  const V = (name) => v(`${d}${name}`);
  const entraUser = (who, externalIdVar) => ({
    schemas: [USER, ENTERPRISE],
    externalId: `{{${externalIdVar}}}`,
    userName: userName(who),
    active: true,
    displayName: `Entra ${who}`,
    emails: [{ primary: true, type: 'work', value: userName(who) }],
    meta: { resourceType: 'User' },
    name: { formatted: `Entra ${who}`, familyName: who, givenName: 'Entra' },
    roles: [],
    [ENTERPRISE]: { employeeNumber: `E-${who}`, department: 'Sales' },
  });
  const created = (who, idVar) => [
    ...scim(201),
    track('cleanupScimUsers', 'body.id'),
    set(`${d}${idVar}`, 'body.id'),
    `pm.test("created with the enterprise extension", () => {
  pm.expect(body.userName).to.equal("${userName(who).replace('{{run}}', `" + ${v('run')} + "`)}");
  pm.expect(body.schemas).to.include("${ENTERPRISE}");
  pm.expect(body["${ENTERPRISE}"].department).to.equal("Sales");
  pm.expect(body["${ENTERPRISE}"].employeeNumber).to.equal("E-${who}");
  pm.expect(body.active).to.equal(true);
});`,
  ];

  const removeMember = rfc
    ? { op: 'remove', path: `members[value eq "{{${d}UserId}}"]` }
    : { op: 'Remove', path: 'members', value: [{ value: `{{${d}UserId}}` }] };
  const deactivate = rfc
    ? { op: 'replace', path: 'active', value: false }
    : { op: 'Replace', path: 'active', value: 'False' };

  return folder(
    rfc ? 'Entra ID flow, RFC dialect (?aadOptscim062020)' : 'Entra ID flow, legacy dialect (no flag)',
    rfc
      ? 'Microsoft Entra ID provisioning with the `aadOptscim062020` feature flag on the tenant URL: RFC 7644 PATCH (boolean `active`, member removal by `members[value eq "..."]`).'
      : 'Microsoft Entra ID provisioning without the feature flag: `"active": "False"` as a string and member removal as `Remove` on `members` with a value array (remove those members only).',
    [
      request({
        name: `${D}: Test Connection (filter on a random GUID)`,
        url: u('/Users', 'filter=userName eq "{{$guid}}"'),
        test: emptyList('200 with an empty ListResponse'),
      }),
      request({
        name: `${D}: lookup by userName (not there yet)`,
        url: u('/Users', `filter=userName eq "${userName('user')}"`),
        pre: `pm.collectionVariables.set("${d}ExternalId", pm.variables.replaceIn("{{$guid}}"));
pm.collectionVariables.set("${d}ManagerExternalId", pm.variables.replaceIn("{{$guid}}"));
pm.collectionVariables.set("${d}GroupExternalId", pm.variables.replaceIn("{{$guid}}"));`,
        test: emptyList(),
      }),
      request({
        name: `${D}: lookup by externalId (not there yet)`,
        url: u('/Users', `filter=externalId eq "{{${d}ExternalId}}"`),
        test: emptyList(),
      }),
      request({
        name: `${D}: create the manager`,
        method: 'POST',
        url: u('/Users'),
        body: entraUser('manager', `${d}ManagerExternalId`),
        test: created('manager', 'ManagerId'),
      }),
      request({
        name: `${D}: create the user`,
        method: 'POST',
        url: u('/Users'),
        contentType: 'application/json',
        body: entraUser('user', `${d}ExternalId`),
        test: created('user', 'UserId'),
      }),
      request({
        name: `${D}: lookup by externalId finds the user`,
        url: u('/Users', `filter=externalId eq "{{${d}ExternalId}}"`),
        test: [
          ...scim(200),
          `pm.test("exactly that user", () => {
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${V('UserId')});
  pm.expect(body.Resources[0].externalId).to.equal(${V('ExternalId')});
});`,
        ],
      }),
      request({
        name: `${D}: lookup by userName and externalId`,
        url: u('/Users', `filter=userName eq "${userName('user')}" and externalId eq "{{${d}ExternalId}}"`),
        test: [
          ...scim(200),
          `pm.test("exactly that user", () => {
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${V('UserId')});
});`,
        ],
      }),
      request({
        name: `${D}: update with capitalised ops, value paths, manager id, pathless dotted keys`,
        method: 'PATCH',
        url: u(`/Users/{{${d}UserId}}`),
        body: patchOp(
          { op: 'Replace', path: 'emails[type eq "work"].value', value: userName('user-new') },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: `{{${d}ManagerId}}` },
          {
            op: 'Replace',
            value: {
              'name.givenName': 'Renamed',
              'name.familyName': 'Person',
              displayName: 'Renamed Person',
              [`${ENTERPRISE}:department`]: 'Research',
            },
          },
          { op: 'Add', path: 'title', value: 'Analyst' },
        ),
        test: [
          ...scim(200),
          `const ent = body["${ENTERPRISE}"] || {};
pm.test("work e-mail replaced in place", () => {
  pm.expect(body.emails).to.have.lengthOf(1);
  pm.expect(body.emails[0].type).to.equal("work");
  pm.expect(body.emails[0].value).to.equal("entra.${d}." + ${v('run')} + ".user-new@example.com");
});
pm.test("manager from a plain id string", () => pm.expect(ent.manager && ent.manager.value).to.equal(${V('ManagerId')}));
pm.test("name.givenName, name.familyName and the URN-qualified department applied", () => {
  pm.expect(body.name.givenName).to.equal("Renamed");
  pm.expect(body.name.familyName).to.equal("Person");
  pm.expect(body.displayName).to.equal("Renamed Person");
  pm.expect(ent.department).to.equal("Research");
  pm.expect(ent.employeeNumber).to.equal("E-user");
  pm.expect(body.title).to.equal("Analyst");
});`,
        ],
      }),
      request({
        name: `${D}: clear an attribute with an empty value`,
        method: 'PATCH',
        url: u(`/Users/{{${d}UserId}}`),
        body: patchOp({ op: rfc ? 'replace' : 'Replace', path: 'title', value: rfc ? null : '' }),
        test: [...scim(200), 'pm.test("title cleared", () => pm.expect(body).to.not.have.property("title"));'],
      }),
      request({
        name: `${D}: disable the user`,
        method: 'PATCH',
        url: u(`/Users/{{${d}UserId}}`),
        body: patchOp(deactivate),
        test: [...scim(200), `pm.test("active is boolean false", () => pm.expect(body.active).to.equal(false));`],
      }),
      request({
        name: `${D}: get the user`,
        url: u(`/Users/{{${d}UserId}}`),
        test: [
          ...scim(200),
          `const ent = body["${ENTERPRISE}"] || {};
pm.test("every change is stored", () => {
  pm.expect(body.active).to.equal(false);
  pm.expect(body.name.givenName).to.equal("Renamed");
  pm.expect(body.emails[0].value).to.equal("entra.${d}." + ${v('run')} + ".user-new@example.com");
  pm.expect(ent.manager.value).to.equal(${V('ManagerId')});
  pm.expect(ent.department).to.equal("Research");
  pm.expect(body).to.not.have.property("title");
});`,
        ],
      }),
      request({
        name: `${D}: lookup group by displayName (not there yet)`,
        url: u('/Groups', `excludedAttributes=members&filter=displayName eq "entra-${d}-{{run}}"`),
        test: emptyList(),
      }),
      request({
        name: `${D}: create group`,
        method: 'POST',
        url: u('/Groups'),
        body: {
          schemas: [GROUP],
          externalId: `{{${d}GroupExternalId}}`,
          displayName: `entra-${d}-{{run}}`,
          meta: { resourceType: 'Group' },
        },
        test: [
          ...scim(201),
          track('cleanupScimGroups', 'body.id'),
          set(`${d}GroupId`, 'body.id'),
          `pm.test("created", () => {
  pm.expect(body.displayName).to.equal("entra-${d}-" + ${v('run')});
  pm.expect(body.externalId).to.equal(${V('GroupExternalId')});
  pm.expect(body.members || []).to.eql([]);
});`,
        ],
      }),
      request({
        name: `${D}: a second group with the same displayName (409)`,
        method: 'POST',
        url: u('/Groups'),
        body: { schemas: [GROUP], externalId: '{{$guid}}', displayName: `entra-${d}-{{run}}` },
        test: [...scimError(409, 'uniqueness'), track('cleanupScimGroups', 'body.id')],
      }),
      request({
        name: `${D}: add two members`,
        method: 'PATCH',
        url: u(`/Groups/{{${d}GroupId}}`),
        body: patchOp({
          op: 'Add',
          path: 'members',
          value: [{ value: `{{${d}UserId}}` }, { value: `{{${d}ManagerId}}` }],
        }),
        test: [
          ...scim(200),
          memberIds,
          `pm.test("both members", () => pm.expect(ids).to.eql([${V('UserId')}, ${V('ManagerId')}].sort()));`,
        ],
      }),
      request({
        name: `${D}: remove one member ${rfc ? '(members[value eq ...])' : '(Remove members with a value array)'}`,
        method: 'PATCH',
        url: u(`/Groups/{{${d}GroupId}}`),
        body: patchOp(removeMember),
        test: [
          ...scim(200),
          memberIds,
          `pm.test("only that member removed, the other kept", () => pm.expect(ids).to.eql([${V('ManagerId')}]));`,
        ],
      }),
      request({
        name: `${D}: rename group`,
        method: 'PATCH',
        url: u(`/Groups/{{${d}GroupId}}`),
        body: patchOp({ op: 'Replace', path: 'displayName', value: `entra-${d}-{{run}}-renamed` }),
        test: [
          ...scim(200),
          memberIds,
          `pm.test("renamed, members kept", () => {
  pm.expect(body.displayName).to.equal("entra-${d}-" + ${v('run')} + "-renamed");
  pm.expect(ids).to.eql([${V('ManagerId')}]);
});`,
        ],
      }),
      request({
        name: `${D}: lookup group by displayName without members`,
        url: u('/Groups', `excludedAttributes=members&filter=displayName eq "entra-${d}-{{run}}-renamed"`),
        test: [
          ...scim(200),
          `pm.test("found, members not returned", () => {
  pm.expect(body.totalResults).to.equal(1);
  pm.expect(body.Resources[0].id).to.equal(${V('GroupId')});
  pm.expect(body.Resources[0]).to.not.have.property("members");
});`,
        ],
      }),
      request({
        name: `${D}: get group`,
        url: u(`/Groups/{{${d}GroupId}}`),
        test: [
          ...scim(200),
          memberIds,
          `pm.test("one member left", () => pm.expect(ids).to.eql([${V('ManagerId')}]));`,
        ],
      }),
    ],
    bearer('{{scimToken}}'),
  );
}

// ---------------------------------------------------------------------------------------------
// Admin key lifecycle

const keyShape = `const KEY_FIELDS = ["id", "name", "description", "kind", "groupId", "ownerUserId", "scim", "permissions", "fragment", "status", "statusReason", "expiresAt", "createdAt", "createdBy", "lastUsedAt", "revokedAt"];`;

const lifecycle = folder(
  'Admin key lifecycle',
  'Create (token shown once, never cached), read and list (never the token), search, edit, rotate, revoke; a revoked key is refused on its next request.',
  [
    request({
      name: 'Keys: create (token shown once)',
      method: 'POST',
      url: `${API}/keys`,
      contentType: 'application/json',
      body: { name: 'pm-lifecycle-{{run}}', description: 'created by the Postman collection', expiration: '30d' },
      test: [
        ...json(201),
        track('cleanupKeys', 'body.key && body.key.id'),
        set('lifecycleKeyId', 'body.key && body.key.id'),
        set('lifecycleToken', 'body.token'),
        keyShape,
        `pm.test("Cache-Control: no-store", () => pm.expect(pm.response.headers.get("Cache-Control")).to.include("no-store"));
pm.test("token and key", () => {
  pm.expect(body.token).to.match(new RegExp("^ksk_" + body.key.id + "_[0-9A-Za-z]+$"));
  pm.expect(body.key).to.include.all.keys(KEY_FIELDS);
  pm.expect(body.key).to.not.have.property("token");
  pm.expect(body.key.name).to.equal("pm-lifecycle-" + ${v('run')});
  pm.expect(body.key.status).to.equal("active");
  pm.expect(body.key.scim).to.equal(false);
  pm.expect(body.key.fragment).to.equal("ksk_" + body.key.id + "…" + body.token.slice(-4));
  const days = (new Date(body.key.expiresAt) - Date.now()) / 86400000;
  pm.expect(days).to.be.within(29.9, 30.1);
});`,
      ],
    }),
    request({
      name: 'Keys: read one (no token)',
      url: `${API}/keys/{{lifecycleKeyId}}`,
      test: [
        ...json(200),
        `pm.test("the key without its token", () => {
  pm.expect(body.id).to.equal(${v('lifecycleKeyId')});
  pm.expect(body).to.not.have.property("token");
  pm.expect(pm.response.text()).to.not.include(${v('lifecycleToken')}.slice(body.id.length + 5));
});`,
      ],
    }),
    request({
      name: 'Keys: list (never tokens)',
      url: `${API}/keys?owner=all&limit=100`,
      test: [
        ...json(200),
        `pm.test("items without tokens", () => {
  pm.expect(body).to.have.all.keys("items", "nextCursor");
  pm.expect(body.items).to.be.an("array").that.is.not.empty;
  for (const k of body.items) { pm.expect(k).to.not.have.property("token"); pm.expect(k.fragment).to.match(/^(ksk_[0-9A-Za-z]+)?…[0-9A-Za-z_-]{4}$/); }
  for (const t of [${v('lifecycleToken')}, ${v('scimToken')}]) pm.expect(pm.response.text()).to.not.include(t.slice(-28));
});`,
      ],
    }),
    request({
      name: 'Keys: search by name',
      url: `${API}/keys?q=pm-lifecycle-{{run}}`,
      test: [
        ...json(200),
        `pm.test("exactly this run's key", () => {
  pm.expect(body.items.map((k) => k.id)).to.eql([${v('lifecycleKeyId')}]);
  pm.expect(body.nextCursor).to.equal(null);
});`,
      ],
    }),
    request({
      name: 'Keys: edit name and description',
      method: 'PATCH',
      url: `${API}/keys/{{lifecycleKeyId}}`,
      contentType: 'application/json',
      body: { name: 'pm-lifecycle-{{run}}-edited', description: 'edited' },
      test: [
        ...json(200),
        `pm.test("edited", () => {
  pm.expect(body.id).to.equal(${v('lifecycleKeyId')});
  pm.expect(body.name).to.equal("pm-lifecycle-" + ${v('run')} + "-edited");
  pm.expect(body.description).to.equal("edited");
  pm.expect(body.status).to.equal("active");
});`,
      ],
    }),
    request({
      name: 'Keys: the key works',
      url: `${API}/me`,
      auth: bearer('{{lifecycleToken}}'),
      test: [
        ...json(200),
        `pm.test("/me names the key", () => {
  pm.expect(body.key.id).to.equal(${v('lifecycleKeyId')});
  pm.expect(body.key.name).to.equal("pm-lifecycle-" + ${v('run')} + "-edited");
});`,
      ],
    }),
    request({
      name: 'Keys: rotate',
      method: 'POST',
      url: `${API}/keys/{{lifecycleKeyId}}/rotate`,
      contentType: 'application/json',
      body: {},
      test: [
        ...json(201),
        track('cleanupKeys', 'body.key && body.key.id'),
        untrack('cleanupKeys', v('lifecycleKeyId')),
        set('rotatedKeyId', 'body.key && body.key.id'),
        set('rotatedToken', 'body.token'),
        `pm.test("Cache-Control: no-store", () => pm.expect(pm.response.headers.get("Cache-Control")).to.include("no-store"));
pm.test("a new key with the same settings", () => {
  pm.expect(body.key.id).to.not.equal(${v('lifecycleKeyId')});
  pm.expect(body.token).to.match(new RegExp("^ksk_" + body.key.id + "_"));
  pm.expect(body.key.rotatedFrom).to.equal(${v('lifecycleKeyId')});
  pm.expect(body.key.name).to.equal("pm-lifecycle-" + ${v('run')} + "-edited");
  pm.expect(body.key.status).to.equal("active");
});`,
      ],
    }),
    request({
      name: 'Keys: the rotated-out key is refused (401 key_revoked)',
      url: `${API}/me`,
      auth: bearer('{{lifecycleToken}}'),
      test: problem(401, 'key_revoked'),
    }),
    request({
      name: 'Keys: the old key reads as revoked',
      url: `${API}/keys/{{lifecycleKeyId}}`,
      test: [
        ...json(200),
        `pm.test("revoked", () => { pm.expect(body.status).to.equal("revoked"); pm.expect(body.revokedAt).to.be.a("string"); });`,
      ],
    }),
    request({
      name: 'Keys: the new key works',
      url: `${API}/me`,
      auth: bearer('{{rotatedToken}}'),
      test: [
        ...json(200),
        `pm.test("/me names the new key", () => pm.expect(body.key.id).to.equal(${v('rotatedKeyId')}));`,
      ],
    }),
    request({
      name: 'Keys: revoke',
      method: 'DELETE',
      url: `${API}/keys/{{rotatedKeyId}}`,
      test: [
        ...json(200),
        `if (body.status === "revoked") ${untrack('cleanupKeys', v('rotatedKeyId'))}
pm.test("revoked", () => {
  pm.expect(body.id).to.equal(${v('rotatedKeyId')});
  pm.expect(body.status).to.equal("revoked");
  pm.expect(body.revokedAt).to.be.a("string");
});`,
      ],
    }),
    request({
      name: 'Keys: the revoked key is refused on its next request (401 key_revoked)',
      url: `${API}/me`,
      auth: bearer('{{rotatedToken}}'),
      test: [
        ...problem(401, 'key_revoked'),
        'pm.test("WWW-Authenticate names the reason", () => pm.expect(pm.response.headers.get("WWW-Authenticate")).to.include("key_revoked"));',
      ],
    }),
    request({
      name: 'Keys: list revoked keys',
      url: `${API}/keys?status=revoked&q=pm-lifecycle-{{run}}`,
      test: [
        ...json(200),
        `pm.test("both keys, revoked", () => {
  pm.expect(body.items.map((k) => k.id).sort()).to.eql([${v('lifecycleKeyId')}, ${v('rotatedKeyId')}].sort());
  for (const k of body.items) pm.expect(k.status).to.equal("revoked");
});`,
      ],
    }),
    request({
      name: 'Keys: unknown key is 404',
      url: `${API}/keys/unknown{{run}}`,
      test: problem(404, 'not_found'),
    }),
  ],
  bearer('{{adminKey}}'),
);

// ---------------------------------------------------------------------------------------------
// Access API

const authorize = (name, token, permission, resource, allowed) =>
  request({
    name,
    method: 'POST',
    url: `${API}/authorize`,
    contentType: 'application/json',
    auth: bearer(token),
    body: resource ? { permission, resource } : { permission },
    test: [
      ...json(200),
      allowed
        ? 'pm.test("allowed", () => pm.expect(body.allowed).to.equal(true));'
        : `pm.test("denied with a reason (200, never 403)", () => {
  pm.expect(body.allowed).to.equal(false);
  pm.expect(body.reason).to.be.a("string").and.not.empty;
});`,
    ],
  });

const access = folder(
  'Access API',
  'A local group with rules, keys on it, and what services ask keyscope: /me, /authorize (a denial is 200 allowed:false), /introspect (needs keys:introspect). A rule change reaches the keys on the next request.',
  [
    request({
      name: 'Access: /me with the admin key',
      url: `${API}/me`,
      test: [
        ...json(200),
        `pm.test("an org:admin key", () => {
  pm.expect(body.organization.id).to.be.a("string");
  pm.expect(body.key.id).to.be.a("string");
  pm.expect(body.can["org:admin"]).to.equal(true);
  pm.expect(body.permissions).to.be.an("array").that.is.not.empty;
});`,
      ],
    }),
    request({
      name: 'Access: create a local group with rules',
      method: 'POST',
      url: `${API}/groups`,
      contentType: 'application/json',
      body: {
        displayName: 'pm-access-{{run}}',
        description: 'Postman collection run {{run}}',
        rules: [
          { permission: 'users:read' },
          { permission: 'audit:read', resources: ['report-{{run}}'] },
          { permission: 'keys:introspect' },
        ],
      },
      test: [
        ...json(201),
        track('cleanupLocalGroups', 'body.id'),
        set('accessGroupId', 'body.id'),
        `pm.test("a local group with its rules", () => {
  pm.expect(body.displayName).to.equal("pm-access-" + ${v('run')});
  pm.expect(body.source).to.equal("local");
  pm.expect(body.rules).to.deep.include({ permission: "users:read" });
  pm.expect(body.rules).to.have.lengthOf(3);
});`,
      ],
    }),
    request({
      name: 'Access: a key on the group, narrowed to users:read, keys:read, audit:read',
      method: 'POST',
      url: `${API}/keys`,
      contentType: 'application/json',
      body: {
        name: 'pm-app-{{run}}',
        groupId: '{{accessGroupId}}',
        permissions: ['users:read', 'keys:read', 'audit:read'],
        expiration: '7d',
      },
      test: [
        ...json(201),
        track('cleanupKeys', 'body.key && body.key.id'),
        set('appToken', 'body.token'),
        set('appKeyId', 'body.key && body.key.id'),
        `pm.test("on the group", () => {
  pm.expect(body.key.groupId).to.equal(${v('accessGroupId')});
  pm.expect(body.key.permissions).to.eql(["users:read", "keys:read", "audit:read"]);
});`,
      ],
    }),
    request({
      name: 'Access: an introspection key on the group',
      method: 'POST',
      url: `${API}/keys`,
      contentType: 'application/json',
      body: {
        name: 'pm-introspector-{{run}}',
        groupId: '{{accessGroupId}}',
        permissions: ['keys:introspect'],
        expiration: '7d',
      },
      test: [
        ...json(201),
        track('cleanupKeys', 'body.key && body.key.id'),
        set('introspectorToken', 'body.token'),
        `pm.test("on the group", () => pm.expect(body.key.permissions).to.eql(["keys:introspect"]));`,
      ],
    }),
    request({
      name: 'Access: /me with the group key',
      url: `${API}/me`,
      auth: bearer('{{appToken}}'),
      test: [
        ...json(200),
        `pm.test("what the group grants, narrowed", () => {
  pm.expect(body.key.id).to.equal(${v('appKeyId')});
  pm.expect(body.group.id).to.equal(${v('accessGroupId')});
  pm.expect(body.can["users:read"]).to.equal(true);
  pm.expect(body.can["keys:read"]).to.equal(false);
  pm.expect(body.can["keys:introspect"]).to.equal(false);
  pm.expect(body.can["org:admin"]).to.equal(false);
});`,
      ],
    }),
    authorize('Access: authorize users:read (allowed)', '{{appToken}}', 'users:read', null, true),
    authorize('Access: authorize keys:read (denied, not in the rules)', '{{appToken}}', 'keys:read', null, false),
    authorize(
      'Access: authorize audit:read on its resource (allowed)',
      '{{appToken}}',
      'audit:read',
      'report-{{run}}',
      true,
    ),
    authorize(
      'Access: authorize audit:read on another resource (denied)',
      '{{appToken}}',
      'audit:read',
      'other-{{run}}',
      false,
    ),
    request({
      name: 'Access: change the rules',
      method: 'PUT',
      url: `${API}/groups/{{accessGroupId}}/rules`,
      contentType: 'application/json',
      body: { rules: [{ permission: 'keys:read' }, { permission: 'keys:introspect' }] },
      test: [
        ...json(200),
        `pm.test("the new rules", () => {
  const rules = body.rules || (body.group && body.group.rules);
  pm.expect(rules.map((r) => r.permission).sort()).to.eql(["keys:introspect", "keys:read"]);
});`,
      ],
    }),
    authorize('Access: authorize users:read after the change (denied)', '{{appToken}}', 'users:read', null, false),
    authorize('Access: authorize keys:read after the change (allowed)', '{{appToken}}', 'keys:read', null, true),
    request({
      name: 'Access: introspect the group key',
      method: 'POST',
      url: `${API}/introspect`,
      contentType: 'application/json',
      auth: bearer('{{introspectorToken}}'),
      body: { token: '{{appToken}}' },
      test: [
        ...json(200),
        `pm.test("RFC 7662 fields", () => {
  pm.expect(body.active).to.equal(true);
  pm.expect(body.client_id).to.equal(${v('appKeyId')});
  pm.expect(body.sub).to.be.a("string").and.not.empty;
  pm.expect(body.scope.split(" ")).to.include("keys:read");
  pm.expect(body.scope.split(" ")).to.not.include("users:read");
  pm.expect(body.iat).to.be.a("number");
  pm.expect(body.exp).to.be.a("number").and.above(body.iat);
});`,
      ],
    }),
    request({
      name: 'Access: introspect a revoked token (inactive)',
      method: 'POST',
      url: `${API}/introspect`,
      contentType: 'application/json',
      auth: bearer('{{introspectorToken}}'),
      body: { token: '{{rotatedToken}}' },
      test: [...json(200), 'pm.test("{active:false} only", () => pm.expect(body).to.eql({ active: false }));'],
    }),
    request({
      name: 'Access: introspect without keys:introspect (403)',
      method: 'POST',
      url: `${API}/introspect`,
      contentType: 'application/json',
      auth: bearer('{{appToken}}'),
      body: { token: '{{introspectorToken}}' },
      test: problem(403, 'forbidden'),
    }),
    request({
      name: 'Access: authorize an unknown permission (400 unknown_permission, not a denial)',
      method: 'POST',
      url: `${API}/authorize`,
      contentType: 'application/json',
      auth: bearer('{{appToken}}'),
      body: { permission: 'keys:raed' },
      test: [
        ...problem(400, 'unknown_permission'),
        'pm.test("names the field", () => pm.expect(body.errors[0].field).to.equal("permission"));',
      ],
    }),
    request({
      name: 'Access: authorize without a key (401)',
      method: 'POST',
      url: `${API}/authorize`,
      contentType: 'application/json',
      auth: { type: 'noauth' },
      body: { permission: 'users:read' },
      test: problem(401, 'invalid_token'),
    }),
  ],
  bearer('{{adminKey}}'),
);

// ---------------------------------------------------------------------------------------------
// Cleanup: one request per kind, repeated with setNextRequest while its list has ids.

function drain({ name, list, method, url, auth, test }) {
  return request({
    name,
    method,
    url,
    auth,
    pre: `
const ids = JSON.parse(pm.collectionVariables.get("${list}") || "[]");
if (!ids.length) {
  pm.execution.skipRequest();
} else {
  pm.collectionVariables.set("cleanupId", ids[0]);
}
`,
    test: [
      ...test,
      `const left = JSON.parse(pm.collectionVariables.get("${list}") || "[]").filter((id) => id !== pm.collectionVariables.get("cleanupId"));
pm.collectionVariables.set("${list}", JSON.stringify(left));
if (left.length) pm.execution.setNextRequest(pm.info.requestName);`,
    ],
  });
}

const cleanup = folder(
  'Cleanup',
  'Deletes every SCIM group and user and every local group this run created, revokes every key it created (the SCIM key last), and checks that nothing of the run is left.',
  [
    drain({
      name: 'Cleanup: delete SCIM groups',
      list: 'cleanupScimGroups',
      method: 'DELETE',
      url: `${SCIM}/Groups/{{cleanupId}}`,
      auth: bearer('{{scimToken}}'),
      test: noContent(),
    }),
    drain({
      name: 'Cleanup: delete SCIM users',
      list: 'cleanupScimUsers',
      method: 'DELETE',
      url: `${SCIM}/Users/{{cleanupId}}`,
      auth: bearer('{{scimToken}}'),
      test: noContent(),
    }),
    request({
      name: 'Cleanup: no user of this run is left',
      url: `${SCIM}/Users?filter=userName co ".{{run}}."`,
      auth: bearer('{{scimToken}}'),
      test: emptyList('none left'),
    }),
    request({
      name: 'Cleanup: no SCIM group of this run is left',
      url: `${SCIM}/Groups?filter=displayName co "-{{run}}"&excludedAttributes=members`,
      auth: bearer('{{scimToken}}'),
      test: emptyList('none left'),
    }),
    request({
      name: 'Cleanup: a deleted user is 404',
      url: `${SCIM}/Users/{{oktaUser1Id}}`,
      auth: bearer('{{scimToken}}'),
      test: scimError(404),
    }),
    drain({
      name: 'Cleanup: delete local groups',
      list: 'cleanupLocalGroups',
      method: 'DELETE',
      url: `${API}/groups/{{cleanupId}}`,
      auth: bearer('{{adminKey}}'),
      test: noContent(),
    }),
    drain({
      name: 'Cleanup: revoke keys',
      list: 'cleanupKeys',
      method: 'DELETE',
      url: `${API}/keys/{{cleanupId}}`,
      auth: bearer('{{adminKey}}'),
      test: [...json(200), 'pm.test("revoked", () => pm.expect(body.status).to.equal("revoked"));'],
    }),
    request({
      name: 'Cleanup: no active key of this run is left',
      url: `${API}/keys?owner=all&status=active&q={{run}}`,
      auth: bearer('{{adminKey}}'),
      test: [...json(200), 'pm.test("none", () => pm.expect(body.items).to.eql([]));'],
    }),
    request({
      name: 'Cleanup: the revoked SCIM key is refused (401)',
      url: `${SCIM}/Users?startIndex=1&count=1`,
      auth: bearer('{{scimToken}}'),
      test: [
        ...scimError(401),
        'pm.test("reason key_revoked", () => pm.expect(body.detail).to.include("key_revoked"));',
      ],
    }),
  ],
);

// ---------------------------------------------------------------------------------------------

const VARIABLES = [
  'run',
  'scimToken',
  'scimKeyId',
  'cleanupScimGroups',
  'cleanupScimUsers',
  'cleanupLocalGroups',
  'cleanupKeys',
  'cleanupId',
];
const collection = {
  info: {
    _postman_id: '6b0f3c1e-0c36-4d43-9d0c-8c1c8f5e3a11',
    name: 'keyscope',
    description:
      'keyscope end to end: Okta and Entra ID provisioning over SCIM 2.0, the admin key lifecycle and the access API. ' +
      'Needs the environment variables baseUrl (e.g. http://127.0.0.1:3000) and adminKey (an org:admin key). ' +
      'Creates its own SCIM key and cleans up everything it created. Generated by postman/build-collection.mjs.',
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  item: [setup, okta, entra(true), entra(false), lifecycle, access, cleanup],
  variable: VARIABLES.map((key) => ({ key, value: '' })),
};

const text = `${JSON.stringify(collection, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    /* missing */
  }
  if (current !== text) {
    console.error(`${path.relative(process.cwd(), out)} is stale: run node postman/build-collection.mjs`);
    process.exit(1);
  }
  console.log(`${path.relative(process.cwd(), out)} is up to date (${names.size} requests)`);
} else {
  writeFileSync(out, text);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${names.size} requests)`);
}
