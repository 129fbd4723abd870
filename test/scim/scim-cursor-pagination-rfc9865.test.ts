import {
  createGroup,
  createManyUsers,
  createUser,
  expectScimError,
  idsOf,
  inParallel,
  resourcesOf,
} from '../support/fixtures.js';
import { USER_SCHEMA, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/** Cursor-based paging, RFC 9865: `cursor=` starts, `nextCursor` continues, the last page has none. */

const USERS = 250;

let app: TestApp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  await createManyUsers(scim, USERS, 'cursor');
}, 120_000);
afterAll(() => app.close());

interface CursorPage {
  ids: string[];
  nextCursor?: string;
  totalResults?: number;
}

async function cursorPage(resource: 'Users' | 'Groups', query: string): Promise<CursorPage> {
  const res = await scim.get(`/${resource}?${query}`);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
  const ids = resourcesOf(res).map((r) => r.id);
  expect(res.body.itemsPerPage).toBe(ids.length);
  // RFC 9865 §2.2: startIndex belongs to index paging only.
  expect(res.body.startIndex).toBeUndefined();
  return {
    ids,
    nextCursor: res.body.nextCursor as string | undefined,
    totalResults: res.body.totalResults as number | undefined,
  };
}

/** Follows nextCursor from `cursor=` to the end. */
async function follow(
  resource: 'Users' | 'Groups',
  query: string,
  count: number,
): Promise<{ pages: CursorPage[]; ids: string[] }> {
  const pages: CursorPage[] = [];
  let cursor = '';
  for (;;) {
    const p = await cursorPage(resource, `${query}&count=${count}&cursor=${encodeURIComponent(cursor)}`);
    pages.push(p);
    if (p.nextCursor === undefined) break;
    expect(p.ids).toHaveLength(count);
    cursor = p.nextCursor;
    if (pages.length > 1000) throw new Error('cursor paging does not end');
  }
  return { pages, ids: pages.flatMap((p) => p.ids) };
}

/** The same query as one index-paged list. */
async function indexed(resource: 'Users' | 'Groups', query: string): Promise<string[]> {
  const res = await scim.get(`/${resource}?${query}&startIndex=1&count=1000`);
  expect(res.status).toBe(200);
  return resourcesOf(res).map((r) => r.id);
}

describe('following nextCursor', () => {
  it('starts with an empty cursor, returns count resources and a nextCursor', async () => {
    const first = await cursorPage('Users', 'cursor=&count=40');
    expect(first.ids).toHaveLength(40);
    expect(typeof first.nextCursor).toBe('string');
    expect(first.nextCursor).not.toBe('');
    // totalResults is optional with cursors (RFC 9865 §2.2); when given, it must be true.
    if (first.totalResults !== undefined) expect(first.totalResults).toBe(USERS);
  });

  it('visits every user once, in the index order, and the last page has no nextCursor', async () => {
    const { pages, ids } = await follow('Users', 'x=1', 40);
    expect(pages).toHaveLength(Math.ceil(USERS / 40));
    expect(pages.at(-1)!.ids).toHaveLength(USERS % 40);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    expect(ids).toEqual(await indexed('Users', 'x=1'));
  });

  it('ends without an empty extra page when the total is a multiple of count', async () => {
    const { pages, ids } = await follow('Users', 'x=1', 50);
    expect(pages.map((p) => p.ids.length)).toEqual([50, 50, 50, 50, 50]);
    expect(new Set(ids).size).toBe(USERS);
  });

  it('pages a filtered list', async () => {
    const query = `filter=${encodeURIComponent('title pr and userName sw "cursor1"')}`;
    const expected = await indexed('Users', query);
    expect(expected.length).toBeGreaterThan(10);
    expect((await follow('Users', query, 7)).ids).toEqual(expected);
  });

  it('pages a sorted list in its sort order', async () => {
    for (const query of [
      'sortBy=userName&sortOrder=descending',
      'sortBy=title',
      'sortBy=meta.created&sortOrder=descending',
    ]) {
      const expected = await indexed('Users', query);
      expect({ query, ids: (await follow('Users', query, 33)).ids }).toEqual({ query, ids: expected });
    }
  });

  it('loses no user and repeats none when users are created and deleted between pages', async () => {
    const first = await cursorPage('Users', 'count=60&cursor=');
    const deletedSeen = first.ids[10]!;
    const later = await cursorPage('Users', `count=60&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const deletedUnseen = later.ids[5]!;
    expect((await scim.delete(`/Users/${deletedSeen}`)).status).toBe(204);
    expect((await scim.delete(`/Users/${deletedUnseen}`)).status).toBe(204);
    const added = await createUser(scim, { schemas: [USER_SCHEMA], userName: 'cursor-late@example.com' });

    const ids = [...first.ids];
    let cursor = first.nextCursor;
    while (cursor !== undefined) {
      const p = await cursorPage('Users', `count=60&cursor=${encodeURIComponent(cursor)}`);
      ids.push(...p.ids);
      cursor = p.nextCursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    const now = idsOf(resourcesOf(await scim.get('/Users?count=1000')));
    // Everything that exists now was visited; the one deleted before it was reached was not.
    expect(now.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids).toContain(added.id);
    expect(ids).not.toContain(deletedUnseen);
  });

  it('pages groups the same way', async () => {
    const groups = idsOf(await inParallel(9, 3, (i) => createGroup(scim, `Cursor group ${i}`)));
    const { pages, ids } = await follow('Groups', 'excludedAttributes=members', 4);
    expect(pages.map((p) => p.ids.length)).toEqual([4, 4, 1]);
    expect([...ids].sort()).toEqual(groups);
  });
});

describe('refused cursors (RFC 9865 §2.3)', () => {
  let cursor: string;
  beforeAll(async () => {
    cursor = (await cursorPage('Users', `filter=${encodeURIComponent('userName sw "cursor"')}&count=10&cursor=`))
      .nextCursor!;
  });

  it('accepts the cursor with the query it was issued for', async () => {
    const next = await cursorPage(
      'Users',
      `filter=${encodeURIComponent('userName sw "cursor"')}&count=10&cursor=${encodeURIComponent(cursor)}`,
    );
    expect(next.ids).toHaveLength(10);
  });

  it('refuses a cursor used with another filter, another sort or another resource type', async () => {
    for (const query of [
      `filter=${encodeURIComponent('userName sw "cursor2"')}`,
      `filter=${encodeURIComponent('USERNAME sw "cursor"')}&sortBy=userName`,
      '',
    ]) {
      expectScimError(
        await scim.get(`/Users?${query}&count=10&cursor=${encodeURIComponent(cursor)}`),
        400,
        'invalidCursor',
      );
    }
    expectScimError(
      await scim.get(
        `/Groups?filter=${encodeURIComponent('userName sw "cursor"')}&cursor=${encodeURIComponent(cursor)}`,
      ),
      400,
    );
  });

  it('refuses junk cursors', async () => {
    const junk = [
      'abc',
      '!!!',
      'x'.repeat(3000),
      Buffer.from('{}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      Buffer.from(JSON.stringify({ k: 'nope', o: 5 })).toString('base64url'),
      // A cursor of the right shape for another query, and one with a negative offset.
      Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString()), o: -1, a: undefined }),
      ).toString('base64url'),
      cursor.slice(0, -3),
      // Right query, positions PostgreSQL cannot take: a date past year 9999, an offset past 2^53.
      Buffer.from(
        JSON.stringify({
          k: JSON.parse(Buffer.from(cursor, 'base64url').toString()).k,
          a: ['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
        }),
      ).toString('base64url'),
      Buffer.from(JSON.stringify({ k: JSON.parse(Buffer.from(cursor, 'base64url').toString()).k, o: 1e20 })).toString(
        'base64url',
      ),
    ];
    for (const c of junk) {
      const res = await scim.get(
        `/Users?filter=${encodeURIComponent('userName sw "cursor"')}&count=10&cursor=${encodeURIComponent(c)}`,
      );
      expect({ cursor: c.slice(0, 40), status: res.status, scimType: res.body.scimType }).toEqual({
        cursor: c.slice(0, 40),
        status: 400,
        scimType: 'invalidCursor',
      });
    }
  });

  it('refuses a cursor together with startIndex', async () => {
    expectScimError(await scim.get('/Users?cursor=&startIndex=1'), 400);
    expectScimError(
      await scim.get(
        `/Users?filter=${encodeURIComponent('userName sw "cursor"')}&cursor=${encodeURIComponent(cursor)}&startIndex=11`,
      ),
      400,
    );
  });
});
