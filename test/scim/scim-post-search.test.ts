import { createGroup, createUser, expectScimError, oneOrigin, resourcesOf, type ScimDoc } from '../support/fixtures.js';
import {
  ENTERPRISE,
  USER_SCHEMA,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * RFC 7644 §3.4.3: a query as POST to `.search` with a SearchRequest body, on a resource type
 * (`/Users/.search`, `/Groups/.search`) or on the root (`/.search`, every resource type, §3.4.2.1).
 * It answers exactly what the GET with the same parameters answers: the same filters, sorting,
 * paging (startIndex/count and RFC 9865 cursors) and attribute selection, run in SQL.
 */

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let app: TestApp;
let scim: ScimClient;
let users: ScimDoc[];
let groups: ScimDoc[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  users = [];
  groups = [];
  // Users and groups interleaved in creation order, all with "Searchable" in their displayName.
  for (let i = 0; i < 6; i++) {
    users.push(
      await createUser(scim, {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: `searcher${i}@example.com`,
        displayName: `Searchable user ${String.fromCharCode(102 - i)}`,
        title: i % 2 ? 'Odd' : 'Even',
        emails: [{ value: `searcher${i}@example.com`, type: 'work', primary: true }],
        [ENTERPRISE]: { department: i < 3 ? 'Sales' : 'Support' },
      }),
    );
    groups.push(
      await createGroup(scim, `Searchable group ${String.fromCharCode(97 + i)}`, {
        members: [{ value: users[i]!.id }],
      }),
    );
  }
});
afterAll(() => app.close());

const search = (url: string, body: Record<string, unknown>) =>
  scim.post(`${url}/.search`, { schemas: [SEARCH], ...body });

/** The GET with the same parameters, for comparison. */
async function get(resource: 'Users' | 'Groups', params: Record<string, string | number>) {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  const res = await scim.get(`/${resource}?${query}`);
  expect(res.status).toBe(200);
  return res;
}

async function ok(res: Awaited<ReturnType<typeof search>>) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  return res;
}

describe('POST /Users/.search and /Groups/.search', () => {
  it('answers what GET answers for the same filter, sort, paging and attributes', async () => {
    const cases: [Record<string, unknown>, Record<string, string | number>][] = [
      [{ filter: 'title eq "Odd"' }, { filter: 'title eq "Odd"' }],
      [
        {
          filter: 'displayName sw "Searchable"',
          sortBy: 'displayName',
          sortOrder: 'descending',
          startIndex: 2,
          count: 3,
        },
        {
          filter: 'displayName sw "Searchable"',
          sortBy: 'displayName',
          sortOrder: 'descending',
          startIndex: 2,
          count: 3,
        },
      ],
      [
        { filter: `${ENTERPRISE}:department eq "Sales"`, attributes: ['userName', 'name.givenName', 'emails'] },
        { filter: `${ENTERPRISE}:department eq "Sales"`, attributes: 'userName,name.givenName,emails' },
      ],
      [
        { excludedAttributes: ['emails', ENTERPRISE], count: 2 },
        { excludedAttributes: `emails,${ENTERPRISE}`, count: 2 },
      ],
    ];
    for (const [body, params] of cases) {
      const posted = await ok(await search('/Users', body));
      expect(oneOrigin(posted.body)).toEqual(oneOrigin((await get('Users', params)).body));
    }
    const groupSearch = await ok(
      await search('/Groups', { filter: 'displayName co "group"', excludedAttributes: ['members'] }),
    );
    expect(oneOrigin(groupSearch.body)).toEqual(
      oneOrigin((await get('Groups', { filter: 'displayName co "group"', excludedAttributes: 'members' })).body),
    );
    expect(resourcesOf(groupSearch)).toHaveLength(6);
    expect(resourcesOf(groupSearch).every((g) => !('members' in g))).toBe(true);
  });

  it('pages with RFC 9865 cursors in the body', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await ok(await search('/Users', { filter: 'userName sw "searcher"', count: 4, cursor }));
      seen.push(...resourcesOf(res).map((u) => u.id));
      if (res.body.nextCursor === undefined) break;
      cursor = res.body.nextCursor as string;
    }
    expect(seen).toEqual(users.map((u) => u.id));
  });

  it('answers 200 with an empty list when nothing matches', async () => {
    const res = await ok(await search('/Users', { filter: 'userName eq "nobody@example.com"' }));
    expect(res.body).toEqual(expect.objectContaining({ totalResults: 0, Resources: [] }));
  });

  it('takes an empty SearchRequest as "everything", like a GET without parameters', async () => {
    const res = await ok(await search('/Groups', {}));
    expect(res.body.totalResults).toBe(6);
  });
});

describe('POST /.search on the root: users and groups together (RFC 7644 §3.4.2.1)', () => {
  it('finds both resource types, in creation order, with a true totalResults', async () => {
    const res = await ok(await search('', { filter: 'displayName sw "Searchable"' }));
    expect(res.body.totalResults).toBe(12);
    const ids = resourcesOf(res).map((r) => r.id);
    const created = users.flatMap((u, i) => [u.id, groups[i]!.id]);
    expect(ids).toEqual(created);
    const types = resourcesOf(res).map((r) => (r.meta as { resourceType: string }).resourceType);
    expect(types).toEqual(created.map((_, i) => (i % 2 ? 'Group' : 'User')));
  });

  it('treats an attribute one resource type lacks as having no value there', async () => {
    // userName: only users have it; members: only groups.
    const byUserName = await ok(await search('', { filter: 'userName sw "searcher"' }));
    expect(resourcesOf(byUserName).map((r) => r.id)).toEqual(users.map((u) => u.id));
    const withoutUserName = await ok(await search('', { filter: 'not (userName pr)' }));
    expect(resourcesOf(withoutUserName).map((r) => r.id)).toEqual(groups.map((g) => g.id));
    const withMember = await ok(await search('', { filter: `members.value eq "${users[2]!.id}"` }));
    expect(resourcesOf(withMember).map((r) => r.id)).toEqual([groups[2]!.id]);
    const either = await ok(
      await search('', { filter: `userName eq "searcher1@example.com" or members.value eq "${users[4]!.id}"` }),
    );
    expect(resourcesOf(either).map((r) => r.id)).toEqual([users[1]!.id, groups[4]!.id]);
  });

  it('narrows to one resource type with meta.resourceType', async () => {
    const res = await ok(await search('', { filter: 'meta.resourceType eq "Group"', count: 100 }));
    expect(resourcesOf(res).map((r) => r.id)).toEqual(groups.map((g) => g.id));
  });

  it('sorts across resource types, and pages by startIndex and by cursor alike', async () => {
    const sorted = await ok(await search('', { filter: 'displayName sw "Searchable"', sortBy: 'displayName' }));
    const names = resourcesOf(sorted).map((r) => r.displayName as string);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));

    const byIndex: string[] = [];
    for (let start = 1; start <= 12; start += 5) {
      const res = await ok(
        await search('', { filter: 'displayName sw "Searchable"', sortBy: 'displayName', startIndex: start, count: 5 }),
      );
      expect(res.body.totalResults).toBe(12);
      expect(res.body.startIndex).toBe(start);
      byIndex.push(...resourcesOf(res).map((r) => r.id));
    }
    expect(byIndex).toEqual(resourcesOf(sorted).map((r) => r.id));

    const byCursor: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await ok(await search('', { filter: 'displayName sw "Searchable"', count: 5, cursor }));
      byCursor.push(...resourcesOf(res).map((r) => r.id));
      if (res.body.nextCursor === undefined) break;
      cursor = res.body.nextCursor as string;
    }
    expect(byCursor).toEqual(users.flatMap((u, i) => [u.id, groups[i]!.id]));
  });

  it('sorts and filters on attributes of one type only, of every kind of storage', async () => {
    for (const sortBy of ['userName', 'active', 'emails.value', 'members.value', 'meta.created', 'externalId', 'id']) {
      const res = await ok(await search('', { sortBy, sortOrder: 'descending', count: 3 }));
      expect(res.body.totalResults).toBe(12);
    }
    const active = await ok(await search('', { filter: 'active eq true', sortBy: 'title' }));
    expect(
      resourcesOf(active)
        .map((r) => r.id)
        .sort(),
    ).toEqual(users.map((u) => u.id).sort());
    const emails = await ok(await search('', { filter: 'emails[type eq "work" and value sw "searcher5"]' }));
    expect(resourcesOf(emails).map((r) => r.id)).toEqual([users[5]!.id]);
  });

  it('selects attributes per resource type', async () => {
    const res = await ok(
      await search('', { filter: 'displayName sw "Searchable"', count: 2, attributes: ['displayName', 'userName'] }),
    );
    const [user, group] = resourcesOf(res);
    expect(Object.keys(user!).sort()).toEqual(['displayName', 'id', 'schemas', 'userName']);
    expect(Object.keys(group!).sort()).toEqual(['displayName', 'id', 'schemas']);
    const lean = await ok(
      await search('', { filter: 'meta.resourceType eq "Group"', excludedAttributes: ['members'] }),
    );
    expect(resourcesOf(lean).every((g) => !('members' in g))).toBe(true);
  });

  it('refuses an attribute no resource type has with 400 invalidFilter', async () => {
    expectScimError(await search('', { filter: 'shoeSize gt 40' }), 400, 'invalidFilter');
  });
});

describe('a bad SearchRequest is a precise 400', () => {
  const cases: [string, unknown, string][] = [
    ['a body that is not an object', ['filter'], 'invalidSyntax'],
    ['no SearchRequest schema', { filter: 'userName pr' }, 'invalidSyntax'],
    ['a filter that is not a string', { schemas: [SEARCH], filter: { userName: 'x' } }, 'invalidFilter'],
    ['a filter that does not parse', { schemas: [SEARCH], filter: 'userName eq' }, 'invalidFilter'],
    ['a count that is not a whole number', { schemas: [SEARCH], count: 'ten' }, 'invalidValue'],
    ['a fractional startIndex', { schemas: [SEARCH], startIndex: 1.5 }, 'invalidValue'],
    ['a sortOrder other than ascending or descending', { schemas: [SEARCH], sortOrder: 'up' }, 'invalidValue'],
    ['a sortBy that is not a string', { schemas: [SEARCH], sortBy: ['userName'] }, 'invalidValue'],
    ['attributes that are not strings', { schemas: [SEARCH], attributes: [1, 2] }, 'invalidValue'],
    ['both startIndex and cursor', { schemas: [SEARCH], startIndex: 1, cursor: '' }, 'invalidValue'],
    ['a cursor this server did not issue', { schemas: [SEARCH], cursor: 'bm9wZQ' }, 'invalidCursor'],
  ];
  it.each(cases)('%s', async (_what, body, scimType) => {
    for (const url of ['/Users/.search', '/Groups/.search', '/.search']) {
      const res = await scim.post(url, body);
      expectScimError(res, 400, scimType);
      expect(res.body.detail).not.toMatch(/TypeError|undefined|\[object/);
    }
  });
});
