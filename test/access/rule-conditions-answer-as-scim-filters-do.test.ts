import fc from 'fast-check';
import { userConditionsHold } from '../../src/users/users-service.js';
import { ACME, acmeSchema, registerSchema } from '../support/extensions.js';
import { createGroup, seedVariedUsers, type ScimDoc } from '../support/fixtures.js';
import {
  ENTERPRISE,
  createKey,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Differential, property-based: a group rule's condition (issue 13) holds for a user exactly when
 * `GET /Users?filter=<condition>` returns that user, for generated filters over the users' attributes;
 * a condition GET refuses is refused as a rule too. Checked twice: through the function the resolver
 * calls (every seeded user), and end to end (personal keys asking /api/v1/authorize). Conditions may
 * name the organization's registered extension (ACME) as GET may; a value never returned is refused by both.
 */

let app: TestApp;
let scim: ScimClient;
let users: ScimDoc[];
let everyone: string;
const keyed: { userId: string; token: string }[] = [];
const admin = () => ({ Authorization: `Bearer ${app.adminToken}` });

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'payments:approve' } });
  scim = await scimClient(app);
  expect((await registerSchema(app, acmeSchema())).status).toBe(201);
  const seeded = await seedVariedUsers(scim, 24);
  // Registered extension values on most users, varied (issue 13: conditions may name them).
  for (const [i, u] of seeded.entries()) {
    if (i % 4 === 3) continue;
    const ops = [
      { op: 'replace', path: `${ACME}:costCenter`, value: ['Sales', 'sales', 'Engineering', 'ext-1'][i % 4] },
      { op: 'replace', path: `${ACME}:badgeNumber`, value: i * 7 },
      { op: 'replace', path: `${ACME}:contractor`, value: i % 2 === 0 },
      { op: 'replace', path: `${ACME}:skills`, value: i % 3 ? ['Ada', 'manager'] : ['e'] },
      { op: 'replace', path: `${ACME}:building`, value: { code: `B${i % 3}`, floor: i % 5 } },
      { op: 'replace', path: `${ACME}:pin`, value: '1234' },
    ];
    const res = await scim.patch(`/Users/${u.id}`, patchOp(...ops));
    if (res.status !== 200) throw new Error(`patching ${u.id}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  users = seeded;
  const members = (docs: ScimDoc[]) => ({ members: docs.map((u) => ({ value: u.id })) });
  everyone = (await createGroup(scim, 'Everyone', members(users))).id;
  await createGroup(scim, 'Leads', members(users.filter((_, i) => i % 3 === 0)));
  for (const u of users.filter((_, i) => i % 4 === 0)) {
    keyed.push({
      userId: u.id,
      token: (await createKey(app, { name: `k ${u.id}`, kind: 'personal', ownerUserId: u.id })).token,
    });
  }
}, 120_000);
afterAll(() => app.close());

const STRINGS = [
  'Ada',
  'ada',
  'Engineer',
  'manager',
  'Sales',
  'sales',
  'Engineering',
  'x.io',
  'example.com',
  'ext-1',
  '10',
  'Employee',
  'Leads',
  'e',
  '',
];
const STRING_PATHS = [
  'userName',
  'displayName',
  'title',
  'userType',
  'externalId',
  'nickName',
  'name.givenName',
  'name.familyName',
  'emails.value',
  'emails.type',
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:employeeNumber`,
  'groups.display',
  `${ACME}:costCenter`,
  `${ACME}:skills`,
  `${ACME}:building.code`,
];
const PRESENT_PATHS = [
  ...STRING_PATHS,
  'active',
  'name',
  'emails',
  'groups',
  `${ENTERPRISE}:manager`,
  `${ACME}:badgeNumber`,
  `${ACME}:contractor`,
  `${ACME}:building`,
];

const comparison = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...STRING_PATHS),
      fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'le'),
      fc.constantFrom(...STRINGS),
    )
    .map(([p, op, v]) => `${p} ${op} ${JSON.stringify(v)}`),
  fc.constantFrom(...PRESENT_PATHS).map((p) => `${p} pr`),
  fc.tuple(fc.constantFrom('eq', 'ne'), fc.boolean()).map(([op, v]) => `active ${op} ${v}`),
  fc
    .tuple(fc.constantFrom('work', 'home'), fc.constantFrom(...STRINGS))
    .map(([t, v]) => `emails[type eq "${t}" and value co ${JSON.stringify(v)}]`),
  fc
    .tuple(fc.constantFrom('eq', 'ne', 'gt', 'le'), fc.integer({ min: -1, max: 170 }))
    .map(([op, v]) => `${ACME}:badgeNumber ${op} ${v}`),
  fc
    .tuple(fc.constantFrom('ge', 'lt'), fc.integer({ min: 0, max: 5 }))
    .map(([op, v]) => `${ACME}:building.floor ${op} ${v}`),
  fc.tuple(fc.constantFrom('eq', 'ne'), fc.boolean()).map(([op, v]) => `${ACME}:contractor ${op} ${v}`),
  // Not about users: refused by GET and by the rule alike (a value never returned is never filtered on).
  fc.constantFrom(
    'members.value eq "x"',
    'shoeSize eq "9"',
    'active eq "yes"',
    `${ACME}:pin eq "1234"`,
    `${ACME}:badgeNumber eq "seven"`,
    'urn:ietf:params:scim:schemas:extension:nobody:2.0:User:x eq "y"',
  ),
);

const filter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.tuple(tie('f'), fc.constantFrom('and', 'or'), tie('f')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('f').map((a) => `not (${a})`),
  ),
})).f;

async function scimAnswer(text: string): Promise<Set<string> | 'refused'> {
  const res = await scim.get(`/Users?filter=${encodeURIComponent(text)}&count=1000`);
  if (res.status === 400) return 'refused';
  expect(res.status).toBe(200);
  return new Set((res.body.Resources as { id: string }[]).map((r) => r.id));
}

describe('a rule condition holds for a user iff GET /Users?filter= returns them', () => {
  it('for every seeded user, through the resolver’s evaluation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(filter, { minLength: 1, maxLength: 4 }), async (filters) => {
        const expected = await Promise.all(filters.map(scimAnswer));
        for (const u of users) {
          const holds = await userConditionsHold(app.db, app.orgId, u.id, filters);
          filters.forEach((text, i) => {
            const want = expected[i]!;
            // A refused condition never reaches storage; if it did, it would hold for nobody.
            expect([text, u.id, holds[i]]).toEqual([text, u.id, want === 'refused' ? false : want.has(u.id)]);
          });
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);

  it('end to end: the admin API accepts what GET accepts, and personal keys are granted accordingly', async () => {
    let granted = 0;
    let denied = 0;
    await fc.assert(
      fc.asyncProperty(filter, async (text) => {
        const expected = await scimAnswer(text);
        const put = await app.http
          .put(`/api/v1/groups/${everyone}/rules`)
          .set(admin())
          .send({ rules: [{ permission: 'payments:approve', when: text }] });
        if (expected === 'refused') {
          expect([text, put.status]).toEqual([text, 400]);
          return;
        }
        expect([text, put.status]).toEqual([text, 200]);
        for (const { userId, token } of keyed) {
          const res = await app.http
            .post('/api/v1/authorize')
            .set('Authorization', `Bearer ${token}`)
            .send({ permission: 'payments:approve' });
          const active = users.find((u) => u.id === userId)!.active === true;
          if (res.body.allowed === true) granted++;
          else denied++;
          // An inactive owner's personal key is suspended: it holds nothing, whatever the condition.
          expect([text, userId, res.body.allowed]).toEqual([text, userId, active && expected.has(userId)]);
        }
      }),
      { numRuns: 30 },
    );
    // The generated conditions are not all trivially true or false.
    expect(granted).toBeGreaterThan(0);
    expect(denied).toBeGreaterThan(0);
  }, 300_000);
});
