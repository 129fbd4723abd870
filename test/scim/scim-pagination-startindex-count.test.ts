import {
  createGroup,
  createManyUsers,
  expectScimError,
  idsOf,
  inParallel,
  LIST_RESPONSE,
  resourcesOf,
  type ScimDoc,
} from '../support/fixtures.js';
import { scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/** Index-based paging, RFC 7644 §3.4.2.4: startIndex (1-based) and count, with a true totalResults. */

const USERS = 1005;

let app: TestApp;
let scim: ScimClient;
let everyone: string[];

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  everyone = idsOf(await createManyUsers(scim, USERS, 'page'));
}, 300_000);
afterAll(() => app.close());

async function page(query: string) {
  const res = await scim.get(`/Users?${query}`);
  expect(res.status).toBe(200);
  expect(res.body.schemas).toEqual([LIST_RESPONSE]);
  const resources = resourcesOf(res);
  expect(res.body.itemsPerPage).toBe(resources.length);
  return {
    body: res.body as { totalResults: number; startIndex: number; itemsPerPage: number },
    ids: resources.map((r) => r.id),
  };
}

/** Every page of a query, `count` at a time, by startIndex. */
async function walk(query: string, count: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  for (let start = 1; ; start += count) {
    const { body, ids: pageIds } = await page(`${query}&startIndex=${start}&count=${count}`);
    pages++;
    expect(body.startIndex).toBe(start);
    ids.push(...pageIds);
    if (start + count > body.totalResults) {
      expect(ids).toHaveLength(body.totalResults);
      return { ids, pages };
    }
    expect(pageIds).toHaveLength(count);
  }
}

/** The whole ordered result of a query, in pages of the maximum size. */
async function wholeList(query: string): Promise<string[]> {
  const first = await page(`${query}&startIndex=1&count=1000`);
  const ids = [...first.ids];
  for (let start = 1001; start <= first.body.totalResults; start += 1000)
    ids.push(...(await page(`${query}&startIndex=${start}&count=1000`)).ids);
  return ids;
}

describe('count', () => {
  it('defaults to 100 resources, with the true totalResults and startIndex 1', async () => {
    const { body, ids } = await page('');
    expect(ids).toHaveLength(100);
    expect(body).toMatchObject({ totalResults: USERS, startIndex: 1, itemsPerPage: 100 });
  });

  it('returns at most 1000 resources however many are asked for', async () => {
    const { body, ids } = await page('count=5000');
    expect(ids).toHaveLength(1000);
    expect(body.totalResults).toBe(USERS);
  });

  it('returns exactly count resources when fewer than the total are asked for', async () => {
    expect((await page('count=7')).ids).toHaveLength(7);
  });

  it('reads a negative count as 0: no resources, but the true totalResults', async () => {
    for (const count of ['-1', '-1000', '0']) {
      const { body, ids } = await page(`count=${count}`);
      expect(ids).toEqual([]);
      expect(body).toMatchObject({ totalResults: USERS, itemsPerPage: 0 });
    }
  });

  it('answers 400 with a SCIM error for a count or startIndex that is not a number', async () => {
    for (const query of ['count=ten', 'startIndex=first', 'count=1.5', 'startIndex=1e3']) {
      const res = await scim.get(`/Users?${query}`);
      expectScimError(res, 400);
    }
  });
});

describe('startIndex', () => {
  it('reads a startIndex below 1 as 1', async () => {
    const first = await page('startIndex=1&count=5');
    for (const start of ['0', '-5']) {
      const { body, ids } = await page(`startIndex=${start}&count=5`);
      expect(ids).toEqual(first.ids);
      expect(body.startIndex).toBe(1);
    }
  });

  it('returns a short last page and an empty page past the end, with the true totalResults', async () => {
    const last = await page(`startIndex=${USERS - 2}&count=10`);
    expect(last.ids).toHaveLength(3);
    const past = await page(`startIndex=${USERS + 10}&count=10`);
    expect(past.ids).toEqual([]);
    expect(past.body).toMatchObject({ totalResults: USERS, startIndex: USERS + 10, itemsPerPage: 0 });
  });

  it('counts a filtered list truly on every page, even past its end', async () => {
    const matching = (await wholeList(`filter=${encodeURIComponent('userName sw "page1"')}`)).length;
    // page1, page10..page19, page100..page199, page1000..page1004
    expect(matching).toBe(1 + 10 + 100 + 5);
    for (const start of [1, 3, 100, matching, matching + 1, 5000]) {
      const { body } = await page(`filter=${encodeURIComponent('userName sw "page1"')}&startIndex=${start}&count=5`);
      expect({ start, totalResults: body.totalResults }).toEqual({ start, totalResults: matching });
    }
  });
});

describe('paging through a list', () => {
  it('visits every user once, in the same order as one big page', async () => {
    const whole = await wholeList('');
    expect([...whole].sort()).toEqual(everyone);
    const { ids, pages } = await walk('', 97);
    expect(pages).toBe(Math.ceil(USERS / 97));
    expect(ids).toEqual(whole);
  });

  it('visits every match of a filter once', async () => {
    const filter = `filter=${encodeURIComponent('title pr')}`;
    const whole = await wholeList(filter);
    expect(whole.length).toBe(Math.floor(USERS / 2));
    expect(new Set(whole).size).toBe(whole.length);
    expect((await walk(filter, 13)).ids).toEqual(whole);
  });

  // Okta imports with startIndex/count=100 and needs a stable order (DESIGN §6); with sortBy on an
  // attribute most users share, only a tie-breaker keeps pages from overlapping.
  it('stays stable when sorting by an attribute with many ties', async () => {
    for (const sortOrder of ['ascending', 'descending']) {
      const query = `sortBy=title&sortOrder=${sortOrder}`;
      const whole = await wholeList(query);
      expect(new Set(whole).size).toBe(USERS);
      expect((await walk(query, 100)).ids).toEqual(whole);
    }
  });

  it('gives the same page when asked twice', async () => {
    const a = await page('startIndex=501&count=50');
    const b = await page('startIndex=501&count=50');
    expect(b.ids).toEqual(a.ids);
  });
});

describe('groups', () => {
  let groupIds: string[];
  beforeAll(async () => {
    groupIds = idsOf(await inParallel(23, 4, (i) => createGroup(scim, `Paged group ${i}`)));
  });

  it('page with the same rules', async () => {
    const first = await scim.get('/Groups?startIndex=0&count=10');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ totalResults: 23, startIndex: 1, itemsPerPage: 10 });
    const seen: string[] = [];
    for (let start = 1; start <= 23; start += 10) {
      const res = await scim.get(`/Groups?startIndex=${start}&count=10`);
      seen.push(...(res.body.Resources as ScimDoc[]).map((g) => g.id));
    }
    expect(seen).toHaveLength(23);
    expect([...seen].sort()).toEqual(groupIds);
    const none = await scim.get('/Groups?count=-3');
    expect(none.body).toMatchObject({ totalResults: 23, itemsPerPage: 0, Resources: [] });
  });
});
