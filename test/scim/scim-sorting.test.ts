import { createGroup, createUser, expectScimError, resourcesOf, type ScimDoc } from '../support/fixtures.js';
import {
  ENTERPRISE,
  USER_SCHEMA,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * sortBy / sortOrder (RFC 7644 §3.4.2.3): strings that are not caseExact sort case-insensitively in
 * Unicode order with no locale; a multi-valued attribute sorts by its primary value, else its first.
 */

let app: TestApp;
let scim: ScimClient;

// Mixed case and punctuation: a locale-aware or case-sensitive sort would order these differently.
const NAMES = [
  'alice',
  'Bob',
  'bob_2',
  'bob.3',
  'BOB-4',
  'carol',
  'DAVE',
  'eve',
  'Frank',
  'a_b',
  'ab',
  'Zed',
  'zara',
  'Mallory',
  'oscar',
  'Peggy',
  'trent',
  'Victor',
  'walter',
  'Yolanda',
];

function userBody(name: string, i: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    schemas: [USER_SCHEMA],
    userName: `${name}@example.com`,
    displayName: `${name} ${i % 3}`,
  };
  // Family names repeat and are missing for some users; several users share a title.
  if (i % 6 !== 5) body.name = { givenName: name, familyName: ['Smith', 'jones', 'Brown', 'SMITH', 'adams'][i % 5] };
  if (i % 2 === 0) body.title = i % 4 === 0 ? 'Engineer' : 'analyst';
  // The primary e-mail is not always first; some users have no primary, some no e-mail at all.
  if (i % 7 !== 6) {
    const emails = [
      { value: `${String.fromCharCode(122 - i)}-first@example.com`, type: 'home' },
      { value: `${String.fromCharCode(97 + i)}-second@example.com`, type: 'work' },
    ];
    body.emails = i % 3 === 0 ? emails.map((e, k) => (k === 1 ? { ...e, primary: true } : e)) : emails;
  }
  if (i % 4 === 1) {
    body.schemas = [USER_SCHEMA, ENTERPRISE];
    body[ENTERPRISE] = { department: ['Sales', 'engineering', 'Support', 'Legal'][i % 4] };
  }
  return body;
}

let users: ScimDoc[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  users = [];
  // One at a time and a few milliseconds apart, so that meta.created follows creation order strictly.
  for (const [i, name] of NAMES.entries()) {
    users.push(await createUser(scim, userBody(name, i)));
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
});
afterAll(() => app.close());

type Key = (d: ScimDoc) => string | undefined;
const lowerOf = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);
const KEYS: Record<string, Key> = {
  userName: (u) => lowerOf(u.userName),
  'name.familyName': (u) => lowerOf((u.name as Record<string, unknown> | undefined)?.familyName),
  emails: (u) => {
    const list = (u.emails as Record<string, unknown>[] | undefined) ?? [];
    return lowerOf((list.find((e) => e.primary === true) ?? list[0])?.value);
  },
  title: (u) => lowerOf(u.title),
  'meta.created': (u) => new Date((u.meta as { created: string }).created).toISOString(),
  [`${ENTERPRISE}:department`]: (u) => lowerOf((u[ENTERPRISE] as Record<string, unknown> | undefined)?.department),
};

async function sortedBy(query: string): Promise<ScimDoc[]> {
  const res = await scim.get(`/Users?${query}&count=1000`);
  expect({ query, status: res.status }).toEqual({ query, status: 200 });
  return resourcesOf(res);
}

/** Code-unit order of lower-cased keys: Unicode order, no locale (ASCII data, so code units are code points). */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Checks an answer's order: the keys of resources that have a value are in order, and resources
 * without a value are all together at one end (RFC 7644 does not say which).
 */
function expectOrdered(docs: ScimDoc[], key: Key, descending: boolean): void {
  expect(docs).toHaveLength(users.length);
  const keys = docs.map(key);
  const present = keys.filter((k): k is string => k !== undefined);
  const expected = [...present].sort(byKey);
  if (descending) expected.reverse();
  expect(present).toEqual(expected);
  const missing = keys.map((k, i) => (k === undefined ? i : -1)).filter((i) => i >= 0);
  if (missing.length) {
    const atStart = missing.every((pos, n) => pos === n);
    const atEnd = missing.every((pos, n) => pos === keys.length - missing.length + n);
    expect({ missing, together: atStart || atEnd }).toEqual({ missing, together: true });
  }
}

describe('sortBy', () => {
  it.each(
    Object.keys(KEYS).flatMap((attr) => [
      [attr, 'ascending'],
      [attr, 'descending'],
    ]),
  )('%s %s', async (attr, sortOrder) => {
    const docs = await sortedBy(`sortBy=${encodeURIComponent(attr)}&sortOrder=${sortOrder}`);
    expectOrdered(docs, KEYS[attr]!, sortOrder === 'descending');
  });

  it('sorts userName case-insensitively in Unicode order, whatever the locale', async () => {
    const docs = await sortedBy('sortBy=userName');
    const names = docs.map((u) => (u.userName as string).replace('@example.com', ''));
    expect(names.slice(0, 3)).toEqual(['a_b', 'ab', 'alice']);
    expect(names.indexOf('bob.3')).toBeLessThan(names.indexOf('bob_2'));
    expect(names.indexOf('BOB-4')).toBeLessThan(names.indexOf('bob.3'));
    expect(names.slice(-2)).toEqual(['zara', 'Zed']);
  });

  it('sorts by the primary e-mail when there is one, else by the first', async () => {
    const docs = await sortedBy('sortBy=emails');
    const withPrimary = users.find((u) =>
      ((u.emails as { primary?: boolean }[] | undefined) ?? []).some((e) => e.primary),
    )!;
    expect(KEYS.emails!(withPrimary)).toMatch(/-second@/);
    expectOrdered(docs, KEYS.emails!, false);
  });

  it('defaults to ascending and reads attribute names in any case', async () => {
    const ascending = (await sortedBy('sortBy=userName&sortOrder=ascending')).map((u) => u.id);
    expect((await sortedBy('sortBy=userName')).map((u) => u.id)).toEqual(ascending);
    expect((await sortedBy('sortBy=USERNAME')).map((u) => u.id)).toEqual(ascending);
    expect((await sortedBy('sortBy=Name.FamilyName')).map((u) => u.id)).toEqual(
      (await sortedBy('sortBy=name.familyName')).map((u) => u.id),
    );
  });

  it('orders meta.created as creation happened', async () => {
    expect((await sortedBy('sortBy=meta.created')).map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect((await sortedBy('sortBy=meta.created&sortOrder=descending')).map((u) => u.id)).toEqual(
      users.map((u) => u.id).reverse(),
    );
  });

  it('applies the sort before paging', async () => {
    const all = (await sortedBy('sortBy=userName&sortOrder=descending')).map((u) => u.id);
    const res = await scim.get('/Users?sortBy=userName&sortOrder=descending&startIndex=4&count=5');
    expect(resourcesOf(res).map((u) => u.id)).toEqual(all.slice(3, 8));
  });

  it('sorts a filtered list', async () => {
    const docs = await sortedBy(`filter=${encodeURIComponent('title pr')}&sortBy=name.familyName&sortOrder=descending`);
    expect(docs.every((u) => u.title !== undefined)).toBe(true);
    const keys = docs.map(KEYS['name.familyName']!).filter((k): k is string => k !== undefined);
    expect(keys).toEqual([...keys].sort(byKey).reverse());
  });

  it('sorts groups by displayName', async () => {
    for (const name of ['beta', 'Alpha', 'gamma', 'Delta']) await createGroup(scim, name);
    const res = await scim.get('/Groups?sortBy=displayName&sortOrder=descending');
    expect(resourcesOf(res).map((g) => g.displayName)).toEqual(['gamma', 'Delta', 'beta', 'Alpha']);
  });

  it("sorts users by their groups (the least group's value) and groups by their members", async () => {
    const [first, second] = users;
    const zulu = await scim.post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'zulu team',
      members: [{ value: first!.id }],
    });
    const alpha = await scim.post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Alpha team',
      members: [{ value: second!.id }],
    });
    expect([zulu.status, alpha.status]).toEqual([201, 201]);

    const byDisplay = await sortedBy('sortBy=groups.display');
    const withGroups = byDisplay.map((u) => u.id).filter((id) => id === first!.id || id === second!.id);
    expect(withGroups).toEqual([second!.id, first!.id]);
    expect(byDisplay).toHaveLength(users.length);
    expect((await sortedBy('sortBy=groups&sortOrder=descending')).length).toBe(users.length);

    for (const sortBy of ['members', 'members.display', 'members.value']) {
      const res = await scim.get(`/Groups?sortBy=${sortBy}&count=1000`);
      expect({ sortBy, status: res.status }).toEqual({ sortBy, status: 200 });
    }
    const memberOrder = await scim.get(
      `/Groups?sortBy=members.value&filter=${encodeURIComponent('displayName ew " team"')}`,
    );
    const expected = [
      first!.id < second!.id ? 'zulu team' : 'Alpha team',
      first!.id < second!.id ? 'Alpha team' : 'zulu team',
    ];
    expect(resourcesOf(memberOrder).map((g) => g.displayName)).toEqual(expected);
  });
});

describe('bad sort parameters', () => {
  it.each(['nickname.first', 'doesNotExist', 'urn:example:unknown:attr', 'password'])(
    'answers 400 for sortBy=%s, an attribute that cannot be sorted on',
    async (sortBy) => {
      expectScimError(await scim.get(`/Users?sortBy=${encodeURIComponent(sortBy)}`), 400);
    },
  );

  it('answers 400 for a complex attribute as a whole and for an unknown sortOrder', async () => {
    expectScimError(await scim.get('/Users?sortBy=name'), 400);
    expectScimError(await scim.get('/Users?sortBy=userName&sortOrder=sideways'), 400);
    expectScimError(await scim.get('/Groups?sortBy=userName'), 400);
  });
});
