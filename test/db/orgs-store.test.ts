import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/db.js';
import {
  findOrganization,
  firstOrganization,
  insertOrganization,
  lockOrganization,
  updateOrganizationPolicy,
} from '../../src/orgs/orgs-store.js';
import { OrgPolicy, type Organization } from '../../src/orgs/orgs.js';
import { twoOrganizations } from '../support/orgs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-db.js';

/** orgs-store (DESIGN §3): an organization row and its policy; changing one never touches another. */

let database: TestDatabase;
let db: Db;
let a: Organization;
let b: Organization;

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  ({ a, b } = await twoOrganizations(db));
});
afterAll(() => database.drop());

describe('orgs-store', () => {
  it('inserts an organization with the default policy and finds it by id', async () => {
    expect(a.policy).toEqual({
      maxKeys: 100,
      allowedExpirations: ['7d', '30d', '60d', '90d', '180d', '1y', 'never'],
      allowNever: true,
      maxScimKeyLifetimeDays: null,
      selfServiceKeys: true,
      idpRoles: false,
    });
    expect(await findOrganization(db, a.id)).toEqual(a);
    expect(await lockOrganization(db, a.id)).toEqual(a);
    expect(await findOrganization(db, randomUUID())).toBeUndefined();
    const first = await firstOrganization(db);
    expect(first!.createdAt.getTime()).toBeLessThanOrEqual(a.createdAt.getTime());
  });

  it('refuses a second organization with the same name in any case', async () => {
    await expect(
      insertOrganization(db, { id: randomUUID(), name: a.name.toUpperCase(), policy: OrgPolicy.parse({}) }),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('updates one organization’s policy and leaves the other’s alone', async () => {
    const policy = OrgPolicy.parse({ maxKeys: 3, allowNever: false, maxScimKeyLifetimeDays: 90 });
    expect((await updateOrganizationPolicy(db, b.id, policy))!.policy).toEqual(policy);
    expect((await findOrganization(db, a.id))!.policy).toEqual(a.policy);
    expect((await findOrganization(db, b.id))!.policy).toEqual(policy);
    expect(await updateOrganizationPolicy(db, randomUUID(), policy)).toBeUndefined();
  });
});
