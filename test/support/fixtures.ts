import type { Response } from 'supertest';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, patchOp, type ScimClient } from './test-app.js';

/** A SCIM document as read back over HTTP. */
export type ScimDoc = Record<string, unknown> & { id: string };

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** A small deterministic PRNG (mulberry32), so generated inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function resourcesOf(res: Response): ScimDoc[] {
  const resources: unknown = res.body.Resources;
  if (!Array.isArray(resources)) throw new Error(`not a ListResponse: ${res.status} ${JSON.stringify(res.body)}`);
  return resources as ScimDoc[];
}

export function idsOf(docs: readonly { id: string }[]): string[] {
  return docs.map((d) => d.id).sort();
}

/** The ids a list request returns, failing loudly on anything but 200. */
export async function listIds(scim: ScimClient, resource: 'Users' | 'Groups', filter: string): Promise<string[]> {
  const res = await scim.get(`/${resource}?filter=${encodeURIComponent(filter)}&count=1000`);
  if (res.status !== 200) throw new Error(`filter ${filter} answered ${res.status} ${JSON.stringify(res.body)}`);
  return idsOf(resourcesOf(res));
}

export async function readAll(scim: ScimClient, resource: 'Users' | 'Groups', query = ''): Promise<ScimDoc[]> {
  const res = await scim.get(`/${resource}?count=1000${query}`);
  if (res.status !== 200) throw new Error(`listing ${resource} answered ${res.status} ${JSON.stringify(res.body)}`);
  return resourcesOf(res);
}

export async function createUser(scim: ScimClient, body: Record<string, unknown>): Promise<ScimDoc> {
  const res = await scim.post('/Users', body);
  if (res.status !== 201) throw new Error(`creating user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ScimDoc;
}

export async function createGroup(
  scim: ScimClient,
  displayName: string,
  extra: Record<string, unknown> = {},
): Promise<ScimDoc> {
  const res = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, members: [], ...extra });
  if (res.status !== 201) throw new Error(`creating group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ScimDoc;
}

/** Asserts a SCIM error answer (RFC 7644 §3.12): the status, the Error schema, and the scimType when given. */
export function expectScimError(res: Response, status: number, scimType?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}) },
  });
  expect(typeof res.body.detail).toBe('string');
}

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Ken', 'Linus', 'Margaret', 'Tim'];
const FAMILY = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Thompson',
  'Torvalds',
  'Hamilton',
  'Lee',
];
const DOMAINS = ['example.com', 'x.io', 'corp.example.org'];
const TITLES = ['Engineer', 'Senior Engineer', 'manager'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support'];

/**
 * The i-th of a varied population of users: every attribute is present for some and missing for
 * others, emails come in several types with and without primary, a third carry the Enterprise
 * extension, a quarter are inactive. `managerId` becomes the enterprise manager of some users.
 */
export function variedUser(i: number, managerId?: string): Record<string, unknown> {
  const given = GIVEN[i % GIVEN.length]!;
  const family = FAMILY[(i * 3) % FAMILY.length]!;
  const domain = DOMAINS[i % DOMAINS.length]!;
  const local = `${given}.${family}${i}`;
  const body: Record<string, unknown> = {
    schemas: [USER_SCHEMA],
    userName: `${local}@${domain}`,
    active: i % 4 !== 3,
    password: 'never-stored-Secret1',
  };
  if (i % 7 !== 6) {
    body.name =
      i % 5 === 4
        ? { givenName: given }
        : { givenName: given, familyName: family, ...(i % 8 === 0 ? { middleName: 'Q' } : {}) };
  }
  if (i % 9 !== 8) {
    const emails: Record<string, unknown>[] = [
      { value: `${local.toLowerCase()}@${domain}`, type: 'work', ...(i % 2 === 0 ? { primary: true } : {}) },
    ];
    if (i % 3 === 0) emails.push({ value: `${given.toLowerCase()}${i}@home.example`, type: 'home' });
    if (i % 4 === 1) emails.push({ value: `${family.toLowerCase()}${i}@other.example` });
    body.emails = emails;
  }
  if (i % 3 !== 2) body.externalId = `ext-${i}`;
  if (i % 6 !== 5) body.displayName = `${given} ${family}`;
  if (i % 4 !== 3) body.title = TITLES[i % 4]!;
  if (i % 5 === 2) body.userType = i % 2 ? 'Contractor' : 'Employee';
  if (i % 3 === 0) {
    body.schemas = [USER_SCHEMA, ENTERPRISE];
    body[ENTERPRISE] = {
      department: DEPARTMENTS[(i / 3) % DEPARTMENTS.length]!,
      employeeNumber: String(1000 + i),
      ...(managerId && i % 2 === 0 ? { manager: { value: managerId } } : {}),
    };
  }
  return body;
}

/**
 * Creates `count` varied users through the SCIM API (the first one becomes everyone's manager), then
 * changes every fifth one so that meta.lastModified differs from meta.created. Returns them as read back.
 */
export async function seedVariedUsers(scim: ScimClient, count: number): Promise<ScimDoc[]> {
  const first = await createUser(scim, variedUser(0));
  for (let i = 1; i < count; i++) await createUser(scim, variedUser(i, first.id));
  const all = await readAll(scim, 'Users');
  for (const [index, user] of all.entries()) {
    if (index % 5 !== 1) continue;
    const res = await scim.patch(
      `/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'nickName', value: `nick${index}` }),
    );
    if (res.status !== 200) throw new Error(`patching user failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return readAll(scim, 'Users');
}

/** Runs `work(0..count-1)` with at most `concurrency` requests in flight; results in index order. */
export async function inParallel<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Minimal users, `<prefix><n>@example.com`, created `concurrency` at a time. */
export async function createManyUsers(
  scim: ScimClient,
  count: number,
  prefix: string,
  concurrency = 8,
): Promise<ScimDoc[]> {
  return inParallel(count, concurrency, (i) =>
    createUser(scim, {
      schemas: [USER_SCHEMA],
      userName: `${prefix}${i}@example.com`,
      ...(i % 2 ? { title: `t${i % 5}` } : {}),
    }),
  );
}

/**
 * supertest serves every request on a new ephemeral port, so absolute locations differ between two
 * reads of one resource; compare answers with their origin made uniform.
 */
export function oneOrigin<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc).replace(/http:\/\/127\.0\.0\.1:\d+\//g, 'http://keyscope.test/')) as T;
}
