import { createGroup, createUser, expectScim, oktaGroup, type Json } from '../support/clients.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

// Okta imports users and groups page by page with startIndex and count=100 (Okta Developer, "SCIM
// 2.0 protocol reference", Retrieve Users). RFC 7644 §3.4.2.4 numbers results from 1 and leaves the
// order to the service provider, so it must be the same on every page: otherwise an import skips
// some users and sees others twice. Updating a user between pages must not move it.
let app: TestApp;
let scim: ScimClient;
const USERS = 230;
const GROUPS = 105;
let userIds: string[] = [];
let groupIds: string[] = [];

async function inBatches<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  // Ten at a time: created within the same instants, so ties in creation time are likely too.
  for (let i = 0; i < n; i += 10)
    out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => make(i + j)))));
  return out;
}

async function importAll(
  resource: 'Users' | 'Groups',
  between?: (page: number) => Promise<void>,
): Promise<{ ids: string[]; pages: Json[] }> {
  const ids: string[] = [];
  const pages: Json[] = [];
  for (let startIndex = 1, page = 1; ; startIndex += 100, page++) {
    const res = await scim.get(`/${resource}?startIndex=${startIndex}&count=100`);
    expectScim(res, 200);
    pages.push(res.body as Json);
    ids.push(...(res.body.Resources as Json[]).map((r) => String(r.id)));
    if (startIndex + 100 > res.body.totalResults) break;
    if (between) await between(page);
  }
  return { ids, pages };
}

beforeAll(async () => {
  app = await startTestApp();
  scim = await scimClient(app);
  userIds = (
    await inBatches(USERS, (i) => createUser(scim, oktaUser(`import.${String(i).padStart(3, '0')}@example.com`)))
  ).map((u) => u.id);
  groupIds = (await inBatches(GROUPS, (i) => createGroup(scim, oktaGroup(`Import Group ${i}`)))).map((g) => g.id);
}, 120_000);
afterAll(() => app.close());

describe('Okta imports users page by page', () => {
  it('sees every user exactly once across pages of 100, with true totals and page numbering', async () => {
    const { ids, pages } = await importAll('Users');
    expect(pages.map((p) => [p.startIndex, p.itemsPerPage, p.totalResults])).toEqual([
      [1, 100, USERS],
      [101, 100, USERS],
      [201, USERS - 200, USERS],
    ]);
    expect(ids).toHaveLength(USERS);
    expect(new Set(ids).size).toBe(USERS);
    expect([...ids].sort()).toEqual([...userIds].sort());
  });

  it('returns the same order every time', async () => {
    const first = await importAll('Users');
    const second = await importAll('Users');
    expect(second.ids).toEqual(first.ids);
  });

  it('keeps the order when users are updated and deactivated between pages', async () => {
    const reference = (await importAll('Users')).ids;
    const { ids } = await importAll('Users', async (page) => {
      // Change users on the page just read and on pages still to come.
      for (const id of [reference[page * 100 - 1]!, reference[page * 100 - 50]!, reference[page * 100 + 10]!]) {
        expectScim(
          await scim.patch(
            `/Users/${id}`,
            patchOp({ op: 'replace', value: { active: false, title: `changed on page ${page}` } }),
          ),
          200,
        );
      }
    });
    expect(ids).toEqual(reference);
  });

  it('neither skips nor repeats anyone when a user is created between pages', async () => {
    const reference = (await importAll('Users')).ids;
    let created = '';
    const { ids } = await importAll('Users', async (page) => {
      if (page === 1) created = (await createUser(scim, oktaUser('import.late@example.com'))).id;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, reference.length)).toEqual(reference);
    expect(ids).toContain(created);
  });
});

describe('Okta imports groups page by page', () => {
  it('sees every group exactly once, in the same order every time', async () => {
    const first = await importAll('Groups');
    expect(first.pages.map((p) => [p.startIndex, p.itemsPerPage, p.totalResults])).toEqual([
      [1, 100, GROUPS],
      [101, GROUPS - 100, GROUPS],
    ]);
    expect([...first.ids].sort()).toEqual([...groupIds].sort());
    expect((await importAll('Groups')).ids).toEqual(first.ids);
  });
});
