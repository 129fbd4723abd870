import { scimmy } from '../../src/schema/scimmy.js';
import { createGroup, idsOf, listIds, readAll, seedVariedUsers, type ScimDoc } from '../support/fixtures.js';
import { ENTERPRISE, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Differential test of the SQL filter translation (src/db/filter-sql.ts): the ids the server returns
 * for a filter are compared with the ids scimmy's in-memory `Filter.match` picks from the same
 * resources as read back. Where scimmy departs from RFC 7644 §3.4.2.2 the expected answer is an
 * explicit predicate over the read-back resources instead, with the reason next to it.
 */

const S = scimmy();

let app: TestApp;
let scim: ScimClient;
let users: ScimDoc[];
let groups: ScimDoc[];
let g: Record<'eng' | 'leads' | 'sales' | 'emea' | 'support' | 'ops', ScimDoc>;

/**
 * scimmy's `match` throws ("Cannot convert undefined or null to object") on a resource that lacks a
 * complex attribute the filter names (e.g. `name.givenName` on a user without `name`). RFC 7643 §2.5
 * makes an unassigned attribute and an empty one the same state, so scimmy gets `{}` / `[]` instead.
 */
function forScimmy(
  doc: Record<string, unknown>,
  complex: readonly string[],
  multi: readonly string[],
): Record<string, unknown> {
  const out = { ...doc };
  for (const key of complex) if (out[key] === undefined) out[key] = {};
  for (const key of multi) if (out[key] === undefined) out[key] = [];
  return out;
}

function scimmyIds(filter: string, docs: readonly ScimDoc[]): string[] {
  const prepared = docs.map((d) => forScimmy(d, ['name'], ['emails', 'phoneNumbers', 'addresses', 'members']));
  const matched = new S.Types.Filter(filter).match(prepared) as { id: string }[];
  return idsOf(matched);
}

/**
 * scimmy's `match` looks attributes up by their top-level key, so an extension attribute named by its
 * full URN (`urn:…:enterprise:2.0:User:department`) never matches anything there. The RFC answer is
 * the same filter, without the URN prefix, matched against the extension's own object.
 */
function scimmyExtensionIds(filter: string, docs: readonly ScimDoc[]): string[] {
  return idsOf(
    docs.filter((d) => {
      const ext = d[ENTERPRISE];
      if (typeof ext !== 'object' || ext === null) return false;
      return new S.Types.Filter(filter).match([forScimmy(ext as Record<string, unknown>, ['manager'], [])]).length > 0;
    }),
  );
}

const where = (docs: readonly ScimDoc[], predicate: (d: ScimDoc) => boolean) => idsOf(docs.filter(predicate));

// Accessors for the explicit RFC predicates.
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const lower = (value: unknown): string | undefined => str(value)?.toLowerCase();
const sub = (d: ScimDoc, attr: string, name: string): unknown =>
  (d[attr] as Record<string, unknown> | undefined)?.[name];
const emails = (d: ScimDoc): Record<string, unknown>[] => (d.emails as Record<string, unknown>[] | undefined) ?? [];
const ext = (d: ScimDoc): Record<string, unknown> => (d[ENTERPRISE] as Record<string, unknown> | undefined) ?? {};
const members = (d: ScimDoc): Record<string, unknown>[] => (d.members as Record<string, unknown>[] | undefined) ?? [];

/** The n-th seeded user (see variedUser): its userName ends in `<n>@domain`. */
const user = (n: number) => users.find((u) => /(\d+)@/.exec(u.userName as string)?.[1] === String(n))!;

/** A filter written in the test table: literal, or built from the seeded data once it exists. */
type Case = string | { label: string; filter: () => string };
const dyn = (label: string, filter: () => string): Case => ({ label, filter });
const labelOf = (c: Case) => (typeof c === 'string' ? c : c.label);
const textOf = (c: Case) => (typeof c === 'string' ? c : c.filter());
const createdOf = (d: ScimDoc) => (d.meta as { created: string }).created;
const lastModifiedOf = (d: ScimDoc) => (d.meta as { lastModified: string }).lastModified;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  users = await seedVariedUsers(scim, 40);
  const byIndex = (n: number) => ({ value: user(n).id });
  const emea = await createGroup(scim, 'Sales EMEA', { members: [byIndex(10), byIndex(13)] });
  g = {
    eng: await createGroup(scim, 'Engineering', { externalId: 'g-eng', members: [0, 1, 3, 4].map(byIndex) }),
    leads: await createGroup(scim, 'Engineering Leads', { externalId: 'g-leads', members: [byIndex(0)] }),
    sales: await createGroup(scim, 'Sales', {
      externalId: 'g-sales',
      members: [byIndex(6), byIndex(7), { value: emea.id }],
    }),
    emea,
    support: await createGroup(scim, 'Support', { externalId: 'g-support' }),
    ops: await createGroup(scim, 'Ops Team', { externalId: 'G-OPS', members: [byIndex(12)] }),
  };
  // The Engineering Leads group also sits inside Engineering: a Group member next to User members.
  const nested = await scim.patch(
    `/Groups/${g.eng.id}`,
    patchOp({ op: 'add', path: 'members', value: [{ value: g.leads.id }] }),
  );
  expect([200, 204]).toContain(nested.status);
  users = await readAll(scim, 'Users');
  groups = await readAll(scim, 'Groups');
}, 120_000);
afterAll(() => app.close());

describe('the seeded population', () => {
  it('is varied enough for the filters below to mean something', () => {
    expect(users).toHaveLength(40);
    expect(users.filter((u) => u.name === undefined).length).toBeGreaterThan(0);
    expect(users.filter((u) => u.emails === undefined).length).toBeGreaterThan(0);
    expect(users.filter((u) => u.title === undefined).length).toBeGreaterThan(0);
    expect(users.filter((u) => u[ENTERPRISE] !== undefined).length).toBeGreaterThan(0);
    expect(users.filter((u) => u.active === false).length).toBeGreaterThan(0);
    expect(users.filter((u) => createdOf(u) !== lastModifiedOf(u)).length).toBeGreaterThan(0);
    expect(groups).toHaveLength(6);
  });
});

describe('User filters agree with scimmy where scimmy follows RFC 7644 §3.4.2.2', () => {
  const cases: Case[] = [
    // eq ne co sw ew on single-valued strings
    dyn('userName eq <user 5>', () => `userName eq "${user(5).userName as string}"`),
    dyn('userName ne <user 5>', () => `userName ne "${user(5).userName as string}"`),
    'userName co "Hopper"',
    'userName sw "Grace."',
    'userName ew "@x.io"',
    'displayName ew "Knuth"',
    'title eq "Engineer"',
    'title co "Engineer"',
    'title sw "Senior"',
    'title ew "er"',
    // gt ge lt le: lexicographic; values chosen so that letter case cannot change the answer
    'userName gt "K"',
    'userName ge "Ken"',
    'userName lt "Barbara"',
    'userName le "Alan.Z"',
    'name.familyName lt "L"',
    'displayName ge "Grace"',
    // pr and absence
    'title pr',
    'displayName pr',
    'externalId pr',
    'userType pr',
    'nickName pr',
    'name.familyName pr',
    'name.middleName pr',
    'not (title pr)',
    // externalId is caseExact (RFC 7643 §3.1): an upper-case value matches nothing, as in scimmy
    'externalId eq "ext-3"',
    'externalId eq "EXT-3"',
    'externalId sw "ext-1"',
    // booleans
    'active eq true',
    'active eq false',
    'active ne true',
    'emails[primary eq true]',
    // sub-attributes of single- and multi-valued complex attributes
    'name.familyName eq "Hopper"',
    'name.givenName sw "A"',
    'name.givenName eq "Ken" and name.familyName pr',
    'emails.value ew "@home.example"',
    'emails.value co "torvalds"',
    'emails.type eq "home"',
    'emails.primary eq true',
    // value paths: the conditions hold on one and the same e-mail
    'emails[type eq "work" and value co "@x.io"]',
    'emails[type eq "home"]',
    'emails[type eq "work" and primary eq true]',
    'emails[type eq "home" and value sw "grace"]',
    'emails[type eq "work"] and active eq false',
    'emails[type eq "home"] or title eq "manager"',
    // logic, precedence (not > and > or) and grouping
    'title eq "Engineer" or active eq false and externalId pr',
    '(title eq "Engineer" or active eq false) and externalId pr',
    '(title eq "Engineer" or title eq "manager") and active eq true',
    'not (active eq true)',
    'not (title eq "Engineer")',
    'externalId pr and not (title pr)',
    'userName sw "Ada" or userName sw "Tim" or userName sw "Ken"',
    '(userName sw "Ada" or userName sw "Tim") and (title pr or displayName pr)',
    // attribute names and operators in any case (RFC 7644 §3.4.2.2)
    dyn('USERNAME eq <user 7>', () => `USERNAME eq "${user(7).userName as string}"`),
    'Name.FamilyName EQ "Hopper"',
    'EMAILS[TYPE eq "home"]',
    'Emails.Value Co "torvalds"',
    'title Sw "Senior" AND Active eq true',
    // meta dates compare chronologically, whatever the notation of the instant
    dyn('meta.created gt <user 20 created>', () => `meta.created gt "${createdOf(users[20]!)}"`),
    dyn('meta.created ge <user 20 created>', () => `meta.created ge "${createdOf(users[20]!)}"`),
    dyn('meta.created lt <user 20 created>', () => `meta.created lt "${createdOf(users[20]!)}"`),
    dyn('meta.created le <user 20 created>', () => `meta.created le "${createdOf(users[20]!)}"`),
    dyn('meta.created eq <user 20 created>', () => `meta.created eq "${createdOf(users[20]!)}"`),
    dyn('meta.lastModified gt <last user created>', () => `meta.lastModified gt "${createdOf(users[39]!)}"`),
    dyn('meta.created gt <user 10 created, in +02:00>', () => `meta.created gt "${inPlusTwo(createdOf(users[10]!))}"`),
    dyn(
      'meta.lastModified ge <user 1 modified> and meta.created lt <user 30 created>',
      () => `meta.lastModified ge "${lastModifiedOf(users[1]!)}" and meta.created lt "${createdOf(users[30]!)}"`,
    ),
  ];
  it.each(cases.map((c) => [labelOf(c), c] as const))('%s returns what scimmy matches', async (_label, c) => {
    const filter = textOf(c);
    expect({ filter, ids: await listIds(scim, 'Users', filter) }).toEqual({ filter, ids: scimmyIds(filter, users) });
  });

  it('uses filters that select some users and leave out others', () => {
    // Guards the comparison above from passing vacuously on filters that select all or nothing.
    const vacuous = cases.map(textOf).filter((f) => {
      const n = scimmyIds(f, users).length;
      return n === 0 || n === users.length;
    });
    expect(vacuous).toEqual(['externalId eq "EXT-3"']);
  });
});

/** `2024-05-01T10:00:00.000Z` written as the same instant in +02:00. */
function inPlusTwo(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 2 * 3600_000);
  return `${d.toISOString().slice(0, 19)}.${d.toISOString().slice(20, 23)}+02:00`;
}

describe('Enterprise extension filters (URN-qualified, RFC 7644 §3.4.2.2 and RFC 7643 §3.3)', () => {
  const URN = ENTERPRISE;
  // [filter as sent, the same filter on the extension object]
  const cases: [Case, Case][] = [
    [`${URN}:department eq "Sales"`, 'department eq "Sales"'],
    [`${URN}:department sw "Eng"`, 'department sw "Eng"'],
    [`${URN}:department pr`, 'department pr'],
    [`${URN}:employeeNumber ge "1020"`, 'employeeNumber ge "1020"'],
    [
      dyn('<enterprise>:manager.value eq <user 0>', () => `${URN}:manager.value eq "${user(0).id}"`),
      dyn('', () => `manager.value eq "${user(0).id}"`),
    ],
    [`${URN}:manager.value pr`, 'manager.value pr'],
    // Attribute names are case-insensitive (RFC 7643 §2.1), the schema URN's too, and URNs' "urn:"
    // prefix and namespace are case-insensitive in any case (RFC 8141 §3.1).
    [`${URN.toLowerCase()}:DEPARTMENT eq "Support"`, 'department eq "Support"'],
    [`${URN.toUpperCase()}:Department eq "Support"`, 'department eq "Support"'],
  ];
  it.each(cases.map(([c, inner]) => [labelOf(c), c, inner] as const))(
    '%s matches what scimmy matches on the extension object',
    async (_label, c, inner) => {
      const filter = textOf(c);
      const expected = scimmyExtensionIds(textOf(inner), users);
      expect(expected.length).toBeGreaterThan(0);
      expect({ filter, ids: await listIds(scim, 'Users', filter) }).toEqual({ filter, ids: expected });
    },
  );

  it('combines an extension attribute with core attributes', async () => {
    const filter = `${URN}:department eq "Engineering" and active eq true or ${URN}:employeeNumber eq "1003"`;
    expect(await listIds(scim, 'Users', filter)).toEqual(
      where(
        users,
        (u) => (ext(u).department === 'Engineering' && u.active === true) || ext(u).employeeNumber === '1003',
      ),
    );
  });

  it('compares extension strings case-insensitively (caseExact false in RFC 7643 §4.3)', async () => {
    expect(await listIds(scim, 'Users', `${URN}:department eq "ENGINEERING"`)).toEqual(
      where(users, (u) => lower(ext(u).department) === 'engineering'),
    );
    expect(where(users, (u) => lower(ext(u).department) === 'engineering').length).toBeGreaterThan(0);
  });
});

describe('User filters where scimmy departs from the RFC: the RFC answer, explicitly', () => {
  // scimmy compares every string case-sensitively; RFC 7643 §2.2 and §4.1 make userName, displayName,
  // title, name.*, emails.value and emails.type caseExact=false, so case must not matter for them.
  const cases: [Case, (u: ScimDoc) => boolean][] = [
    [
      dyn('userName eq <user 11, upper case>', () => `userName eq "${(user(11).userName as string).toUpperCase()}"`),
      (u) => u.id === user(11).id,
    ],
    ['userName co "HOPPER"', (u) => lower(u.userName)!.includes('hopper')],
    ['userName sw "grace."', (u) => lower(u.userName)!.startsWith('grace.')],
    ['userName ew "@X.IO"', (u) => lower(u.userName)!.endsWith('@x.io')],
    ['displayName eq "ada lovelace"', (u) => lower(u.displayName) === 'ada lovelace'],
    ['title co "ENGINEER"', (u) => lower(u.title)?.includes('engineer') === true],
    ['title ge "m"', (u) => lower(u.title) !== undefined && lower(u.title)! >= 'm'],
    ['title lt "MANAGER"', (u) => lower(u.title) !== undefined && lower(u.title)! < 'manager'],
    ['name.familyName eq "hopper"', (u) => lower(sub(u, 'name', 'familyName')) === 'hopper'],
    ['emails.value sw "GRACE"', (u) => emails(u).some((e) => lower(e.value)?.startsWith('grace'))],
    [
      'emails[type eq "WORK" and value ew "@X.IO"]',
      (u) => emails(u).some((e) => lower(e.type) === 'work' && lower(e.value)?.endsWith('@x.io')),
    ],
  ];
  it.each(cases.map(([c, predicate]) => [labelOf(c), c, predicate] as const))(
    '%s matches regardless of case',
    async (_label, c, predicate) => {
      const expected = where(users, predicate);
      expect(expected.length).toBeGreaterThan(0);
      expect(await listIds(scim, 'Users', textOf(c))).toEqual(expected);
    },
  );

  // RFC 7644 §3.4.2.2: "ne" holds when "the attribute and operator values are not identical"; a user
  // without a title has no value to compare, just as it matches no eq, co, gt... on it. scimmy
  // matches such users (undefined !== "Engineer"); `not (title eq "Engineer")` is the filter for them.
  it('ne matches only users that have the attribute, with a different value', async () => {
    const expected = where(users, (u) => lower(u.title) !== undefined && lower(u.title) !== 'engineer');
    expect(await listIds(scim, 'Users', 'title ne "Engineer"')).toEqual(expected);
    expect(await listIds(scim, 'Users', 'title ne "Engineer" or not (title pr)')).toEqual(
      where(users, (u) => lower(u.title) !== 'engineer'),
    );
  });

  // scimmy evaluates co/sw/ew on String(undefined), so `co "fin"` matches every user without a title.
  it('co on an absent attribute matches nothing', async () => {
    expect(await listIds(scim, 'Users', 'title co "fin"')).toEqual(
      where(users, (u) => lower(u.title)?.includes('fin') === true),
    );
  });

  // scimmy rewrites `not (a and b)` as `not a and not b` (and `or` likewise); De Morgan says otherwise.
  it('not applies to a whole group (RFC 7644 §3.4.2.2 "not" "(" FILTER ")")', async () => {
    expect(await listIds(scim, 'Users', 'not (title eq "Engineer" and active eq true)')).toEqual(
      where(users, (u) => !(lower(u.title) === 'engineer' && u.active === true)),
    );
    expect(await listIds(scim, 'Users', 'not (title eq "Engineer" or active eq false)')).toEqual(
      where(users, (u) => !(lower(u.title) === 'engineer' || u.active === false)),
    );
    expect(await listIds(scim, 'Users', 'not (not (active eq true) or (title pr and displayName pr))')).toEqual(
      where(users, (u) => !(u.active !== true || (u.title !== undefined && u.displayName !== undefined))),
    );
  });

  it('not inside a value path applies to the element', async () => {
    expect(await listIds(scim, 'Users', 'emails[value ew ".example" and not (type eq "home")]')).toEqual(
      where(users, (u) => emails(u).some((e) => lower(e.value)!.endsWith('.example') && lower(e.type) !== 'home')),
    );
  });

  // RFC 7643 §2.5 booleans, and the filter grammar's literals are ABNF strings, which are case-insensitive
  // (RFC 5234 §2.3); scimmy reads `True` as false.
  it('reads True and FALSE as booleans', async () => {
    expect(await listIds(scim, 'Users', 'active eq True')).toEqual(where(users, (u) => u.active === true));
    expect(await listIds(scim, 'Users', 'active eq FALSE')).toEqual(where(users, (u) => u.active === false));
  });

  // RFC 7644 §3.4.2.2 "pr": a complex attribute is present when it "contains a non-empty node"; a
  // multi-valued attribute compared without a sub-attribute is compared through its `value`.
  it('pr and comparisons on a complex attribute as a whole', async () => {
    expect(await listIds(scim, 'Users', 'name pr')).toEqual(where(users, (u) => u.name !== undefined));
    expect(await listIds(scim, 'Users', 'emails pr')).toEqual(where(users, (u) => emails(u).length > 0));
    expect(await listIds(scim, 'Users', 'emails co "home.example"')).toEqual(
      where(users, (u) => emails(u).some((e) => lower(e.value)!.includes('home.example'))),
    );
  });

  // Without brackets, each sub-attribute condition may hold on a different e-mail (RFC 7644 §3.4.2.2:
  // a multi-valued attribute matches "if any of the values" matches); scimmy merges them into one.
  it('sub-attribute conditions joined by and may hold on different elements', async () => {
    // Home e-mails are all @home.example, so no single e-mail satisfies both conditions.
    const expected = where(
      users,
      (u) =>
        emails(u).some((e) => e.type === 'home') && emails(u).some((e) => lower(e.value)!.endsWith('@example.com')),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(await listIds(scim, 'Users', 'emails.type eq "home" and emails.value ew "@example.com"')).toEqual(expected);
  });

  it('compares meta dates as instants, not as text', async () => {
    const pivot = createdOf(users[25]!);
    const instant = new Date(pivot).getTime();
    expect(await listIds(scim, 'Users', `meta.created ge "${inPlusTwo(pivot)}"`)).toEqual(
      where(users, (u) => new Date(createdOf(u)).getTime() >= instant),
    );
    expect(await listIds(scim, 'Users', `meta.lastModified gt ${pivot}`)).toEqual(
      where(users, (u) => new Date(lastModifiedOf(u)).getTime() > instant),
    );
  });

  it('eq null matches absence and ne null presence (RFC 7643 §2.5)', async () => {
    expect(await listIds(scim, 'Users', 'title eq null')).toEqual(where(users, (u) => u.title === undefined));
    expect(await listIds(scim, 'Users', 'title ne null')).toEqual(where(users, (u) => u.title !== undefined));
  });
});

describe('Group filters', () => {
  const cases: Case[] = [
    'displayName eq "Sales"',
    'displayName sw "Sales"',
    'displayName co "EMEA"',
    'displayName ew "Leads"',
    'externalId eq "g-eng"',
    'externalId pr',
    dyn('members.value eq <user 0>', () => `members.value eq "${user(0).id}"`),
    dyn('members[value eq <user 6>]', () => `members[value eq "${user(6).id}"]`),
    'members[type eq "Group"]',
    dyn(
      'members[type eq "User" and value eq <user 10>]',
      () => `members[type eq "User" and value eq "${user(10).id}"]`,
    ),
    dyn('members[value eq <Sales EMEA>]', () => `members[value eq "${g.emea.id}"]`),
    'displayName eq "Support" or members[type eq "Group"]',
    'not (displayName sw "Engineering")',
    dyn('meta.created gt <Engineering Leads created>', () => `meta.created gt "${createdOf(g.leads)}"`),
    'DISPLAYNAME eq "Ops Team"',
  ];
  it.each(cases.map((c) => [labelOf(c), c] as const))('%s returns what scimmy matches', async (_label, c) => {
    const filter = textOf(c);
    const expected = scimmyIds(filter, groups);
    expect(expected.length).toBeGreaterThan(0);
    expect({ filter, ids: await listIds(scim, 'Groups', filter) }).toEqual({ filter, ids: expected });
  });

  it('matches displayName regardless of case, externalId only exactly (RFC 7643 §4.2, §3.1)', async () => {
    expect(await listIds(scim, 'Groups', 'displayName eq "sales emea"')).toEqual([g.emea.id]);
    expect(await listIds(scim, 'Groups', 'displayName co "engineering"')).toEqual(
      where(groups, (d) => lower(d.displayName)!.includes('engineering')),
    );
    expect(await listIds(scim, 'Groups', 'externalId eq "G-OPS"')).toEqual([g.ops.id]);
    expect(await listIds(scim, 'Groups', 'externalId eq "g-ops"')).toEqual([]);
  });

  it('members pr matches groups that have members', async () => {
    expect(await listIds(scim, 'Groups', 'members pr')).toEqual(where(groups, (d) => members(d).length > 0));
    expect(await listIds(scim, 'Groups', 'not (members pr)')).toEqual([g.support.id]);
  });

  // Same reading of "ne" as for users: a group without an externalId has nothing to differ.
  it('externalId ne matches only groups that have an externalId', async () => {
    expect(await listIds(scim, 'Groups', 'externalId ne "g-eng"')).toEqual(
      where(groups, (d) => str(d.externalId) !== undefined && d.externalId !== 'g-eng'),
    );
  });

  it('filters on members even when the answer leaves members out', async () => {
    const res = await scim.get(
      `/Groups?filter=${encodeURIComponent(`members[value eq "${user(0).id}"]`)}&excludedAttributes=members`,
    );
    expect(res.status).toBe(200);
    expect(idsOf(res.body.Resources as ScimDoc[])).toEqual(idsOf([g.eng, g.leads]));
    expect((res.body.Resources as ScimDoc[]).every((d) => d.members === undefined)).toBe(true);
  });
});
