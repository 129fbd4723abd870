import fc from 'fast-check';
import {
  ENTERPRISE,
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Issue 13 as a model-based property: for any sequence of changes to users' attributes (through SCIM,
 * as an identity provider makes them), after every change each key's grant (GET /api/v1/me) holds a
 * conditional rule's permission iff the rule's condition holds for the key's person at that moment,
 * by an independent model of the conditions; a key acting for no person (a service key) never holds
 * one; and no key ever holds more than the same rules without their conditions would give it.
 */

let app: TestApp;
let scim: ScimClient;
let run = 0;

beforeAll(async () => {
  app = await startTestApp({
    env: { KEYSCOPE_PERMISSIONS: 'payments:approve,payments:read,reports:read,refunds:run' },
  });
  scim = await scimClient(app);
});
afterAll(() => app.close());

interface Person {
  department?: string;
  title?: string;
  userType?: string;
}

const lower = (v: string | undefined) => v?.toLowerCase();
/** The rules, each with the model of its condition (RFC 7644 §3.4.2.2: these attributes compare case-insensitively). */
const RULES: { permission: string; when?: string; holds: (p: Person) => boolean }[] = [
  { permission: 'refunds:run', holds: () => true },
  {
    permission: 'payments:approve',
    when: `${ENTERPRISE}:department eq "Payments"`,
    holds: (p) => lower(p.department) === 'payments',
  },
  {
    permission: 'payments:read',
    when: 'title sw "Senior" or userType eq "Contractor"',
    holds: (p) => Boolean(lower(p.title)?.startsWith('senior')) || lower(p.userType) === 'contractor',
  },
  // `not` of a comparison on a missing attribute is true (filter-sql.ts).
  {
    permission: 'reports:read',
    when: `not (${ENTERPRISE}:department eq "Sales")`,
    holds: (p) => lower(p.department) !== 'sales',
  },
];
const UNCONDITIONAL = new Set(RULES.map((r) => r.permission));

type Step =
  | { who: number; attr: 'department'; value: string | null }
  | { who: number; attr: 'title'; value: string | null }
  | { who: number; attr: 'userType'; value: string | null };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    who: fc.nat(2),
    attr: fc.constant('department' as const),
    value: fc.constantFrom('Payments', 'payments', 'Sales', 'Support', null),
  }),
  fc.record({
    who: fc.nat(2),
    attr: fc.constant('title' as const),
    value: fc.constantFrom('Senior Engineer', 'senior', 'Engineer', null),
  }),
  fc.record({
    who: fc.nat(2),
    attr: fc.constant('userType' as const),
    value: fc.constantFrom('Contractor', 'Employee', null),
  }),
);

const pathOf = (attr: Step['attr']) => (attr === 'department' ? `${ENTERPRISE}:department` : attr);

async function held(token: string): Promise<Set<string>> {
  const me = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  expect(me.status).toBe(200);
  return new Set((me.body.permissions as { permission: string }[]).map((g) => g.permission));
}

it('a key holds a conditional rule’s permission iff its condition holds for its person, after every change', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
      run++;
      const people: Person[] = [{ department: 'Payments' }, { title: 'Engineer' }, {}];
      const ids: string[] = [];
      for (const [i, p] of people.entries()) {
        const body = oktaUser(`m${run}-${i}@example.com`, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
          ...(p.title ? { title: p.title } : {}),
          ...(p.department ? { [ENTERPRISE]: { department: p.department } } : {}),
        });
        const res = await scim.post('/Users', body);
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const group = await scim.post('/Groups', {
        displayName: `Model ${run}`,
        members: ids.map((value) => ({ value })),
      });
      const put = await app.http
        .put(`/api/v1/groups/${group.body.id}/rules`)
        .set('Authorization', `Bearer ${app.adminToken}`)
        .send({ rules: RULES.map(({ permission, when }) => ({ permission, ...(when ? { when } : {}) })) });
      expect(put.status).toBe(200);
      const tokens: string[] = [];
      for (const id of ids)
        tokens.push((await createKey(app, { name: `m${run} ${id}`, kind: 'personal', ownerUserId: id })).token);
      const service = (await createKey(app, { name: `m${run} service`, groupId: group.body.id })).token;

      const check = async (after: string) => {
        for (const [i, token] of tokens.entries()) {
          const want = RULES.filter((r) => r.holds(people[i]!)).map((r) => r.permission);
          const got = await held(token);
          expect([after, i, [...got].sort()]).toEqual([after, i, want.sort()]);
          for (const p of got) expect(UNCONDITIONAL.has(p)).toBe(true);
        }
        expect([after, [...(await held(service))]]).toEqual([after, ['refunds:run']]);
      };
      await check('start');
      for (const s of steps) {
        const op =
          s.value === null
            ? { op: 'remove', path: pathOf(s.attr) }
            : { op: 'replace', path: pathOf(s.attr), value: s.value };
        const res = await scim.patch(`/Users/${ids[s.who]}`, patchOp(op));
        expect(res.status).toBe(200);
        if (s.value === null) delete people[s.who]![s.attr];
        else people[s.who]![s.attr] = s.value;
        await check(JSON.stringify(s));
      }
    }),
    { numRuns: 15, seed: 13 },
  );
}, 300_000);
