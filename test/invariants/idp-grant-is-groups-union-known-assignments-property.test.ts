import fc from 'fast-check';
import { can, type Grant } from '../../src/principals/permissions.js';
import { bearer } from '../support/orgs.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

/**
 * Issue 13, no escalation through the identity provider: for any sequence of role and entitlement
 * assignments (SCIM PATCH and PUT), group rule changes, idpRoles policy flips and self-issued keys,
 * every personal key of the person holds exactly
 *   (their groups' rules ∪ (policy ? the roles and entitlements keyscope knows : ∅)) ∩ the key's own permissions,
 * as /api/v1/me reports it at the key's next request. The model below spells the roles out itself
 * and never calls keyscope's resolution; `can` only matches wildcards.
 *
 * Seeded: KEYSCOPE_PROPERTY_SEED, KEYSCOPE_PROPERTY_RUNS replay or widen it.
 */
const SEED = Number(process.env.KEYSCOPE_PROPERTY_SEED ?? 13);
const NUM_RUNS = Number(process.env.KEYSCOPE_PROPERTY_RUNS ?? 25);

const MODEL_ROLES: Record<string, string[]> = {
  admin: ['*'],
  'key-manager': ['keys:read', 'keys:write', 'keys:manage', 'groups:read', 'users:read'],
  developer: ['keys:read', 'keys:write', 'groups:read'],
  viewer: ['*:read'],
};
/** Every permission of this deployment but the platform ones (orgs:create, metrics:read). */
const MODEL_ENTITLEMENTS = new Set([
  'org:admin',
  'keys:read',
  'keys:write',
  'keys:manage',
  'keys:introspect',
  'keys:impersonate',
  'groups:read',
  'groups:write',
  'users:read',
  'audit:read',
  'reports:read',
  'reports:write',
]);
const ROLE_VALUES = ['admin', 'viewer', 'developer', 'key-manager', 'Approver', 'ADMIN'];
const ENTITLEMENT_VALUES = [
  'reports:read',
  'keys:manage',
  'audit:read',
  'orgs:create',
  'metrics:read',
  'keys:*',
  'x:y',
];
type Rule = { permission: string } | { role: string };
const GROUP_RULES: Rule[] = [{ permission: 'reports:write' }, { role: 'viewer' }, { permission: 'keys:write' }];
const PROBES = [
  'keys:read',
  'keys:write',
  'keys:manage',
  'keys:introspect',
  'groups:read',
  'groups:write',
  'users:read',
  'audit:read',
  'reports:read',
  'reports:write',
  'org:admin',
  'orgs:create',
  'metrics:read',
];
const RESTRICTIONS: (string[] | null)[] = [null, ['keys:read'], ['reports:*'], ['audit:read', 'org:admin'], ['*:read']];

type Step =
  | { kind: 'roles'; values: string[]; put: boolean }
  | { kind: 'entitlements'; values: string[] }
  | { kind: 'policy'; on: boolean }
  | { kind: 'groupRules'; rules: Rule[] }
  | { kind: 'selfIssue'; restriction: string[] | null };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('roles' as const), values: fc.subarray(ROLE_VALUES), put: fc.boolean() }),
  fc.record({ kind: fc.constant('entitlements' as const), values: fc.subarray(ENTITLEMENT_VALUES) }),
  fc.record({ kind: fc.constant('policy' as const), on: fc.boolean() }),
  fc.record({ kind: fc.constant('groupRules' as const), rules: fc.subarray(GROUP_RULES) }),
  fc.record({ kind: fc.constant('selfIssue' as const), restriction: fc.constantFrom(...RESTRICTIONS) }),
);

interface Model {
  roles: string[];
  entitlements: string[];
  policy: boolean;
  rules: Rule[];
}

const asGrant = (permissions: string[]): Grant => permissions.map((permission) => ({ permission, resources: null }));

function expectedAllowed(model: Model, restriction: string[] | null, permission: string): boolean {
  const fromGroups = asGrant(model.rules.flatMap((r) => ('role' in r ? MODEL_ROLES[r.role]! : [r.permission])));
  const fromIdp = model.policy
    ? asGrant([
        ...model.roles.flatMap((r) => (Object.hasOwn(MODEL_ROLES, r) ? MODEL_ROLES[r]! : [])),
        ...model.entitlements.filter((e) => MODEL_ENTITLEMENTS.has(e)),
      ])
    : [];
  const holds = can([...fromGroups, ...fromIdp], permission);
  return holds && (restriction === null || can(asGrant(restriction), permission));
}

let app: TestApp;
let scim: ScimClient;
let userId: string;
let groupId: string;
const keys: { token: string; restriction: string[] | null }[] = [];
const USER_NAME = 'idp.property@example.com';

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read,reports:write' } });
  scim = await scimClient(app);
  userId = (await scim.post('/Users', oktaUser(USER_NAME))).body.id;
  groupId = (await scim.post('/Groups', { displayName: 'Property group', members: [{ value: userId }] })).body.id;
  for (const restriction of RESTRICTIONS) {
    const key = await createKey(app, {
      name: `property ${keys.length}`,
      kind: 'personal',
      ownerUserId: userId,
      ...(restriction ? { permissions: restriction } : {}),
    });
    keys.push({ token: key.token, restriction });
  }
});
afterAll(() => app.close());

async function ok(res: { status: number; body: unknown }, what: string, expected = 200) {
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function apply(s: Step, model: Model): Promise<void> {
  switch (s.kind) {
    case 'roles': {
      const roles = s.values.map((value) => ({ value }));
      if (s.put) {
        const body = oktaUser(USER_NAME, {
          ...(roles.length ? { roles } : {}),
          ...(model.entitlements.length ? { entitlements: model.entitlements.map((value) => ({ value })) } : {}),
        });
        await ok(await scim.put(`/Users/${userId}`, body), 'PUT user');
      } else {
        const op = roles.length ? { op: 'replace', path: 'roles', value: roles } : { op: 'remove', path: 'roles' };
        await ok(await scim.patch(`/Users/${userId}`, patchOp(op)), 'PATCH roles');
      }
      model.roles = s.values;
      return;
    }
    case 'entitlements': {
      const value = s.values.map((v) => ({ value: v }));
      const op = value.length ? { op: 'replace', path: 'entitlements', value } : { op: 'remove', path: 'entitlements' };
      await ok(await scim.patch(`/Users/${userId}`, patchOp(op)), 'PATCH entitlements');
      model.entitlements = s.values;
      return;
    }
    case 'policy':
      await ok(
        await app.http.patch('/api/v1/organizations/current').set(bearer(app.adminToken)).send({ idpRoles: s.on }),
        'policy',
      );
      model.policy = s.on;
      return;
    case 'groupRules':
      await ok(
        await app.http.put(`/api/v1/groups/${groupId}/rules`).set(bearer(app.adminToken)).send({ rules: s.rules }),
        'rules',
      );
      model.rules = s.rules;
      return;
    case 'selfIssue': {
      if (keys.length >= 12) return;
      // Issued by the person's own unrestricted key, for themselves: self-service keys (on by
      // default) always may, since a personal key holds at most its owner's live grant whatever
      // its restriction; what it then holds is checked after every step.
      const res = await app.http
        .post('/api/v1/keys')
        .set(bearer(keys[0]!.token))
        .send({
          name: `self ${keys.length}`,
          kind: 'personal',
          ...(s.restriction ? { permissions: s.restriction } : {}),
        });
      expect({ step: s, status: res.status }).toEqual({ step: s, status: 201 });
      if (res.status === 201) keys.push({ token: res.body.token, restriction: s.restriction });
      return;
    }
  }
}

async function check(model: Model, steps: Step[]): Promise<void> {
  for (const key of keys) {
    const me = await app.http.get('/api/v1/me').set(bearer(key.token));
    await ok(me, 'me');
    const grant = me.body.permissions as Grant;
    const actual = PROBES.filter((p) => can(grant, p));
    const expected = PROBES.filter((p) => expectedAllowed(model, key.restriction, p));
    expect({ steps, restriction: key.restriction, allowed: actual }).toEqual({
      steps,
      restriction: key.restriction,
      allowed: expected,
    });
  }
}

describe('a personal key holds (groups ∪ known IdP assignments under the policy) ∩ its own permissions', () => {
  it('after every step of any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const model: Model = { roles: [], entitlements: [], policy: false, rules: [] };
        for (const reset of [
          { kind: 'policy', on: false },
          { kind: 'groupRules', rules: [] },
          { kind: 'roles', values: [], put: false },
          { kind: 'entitlements', values: [] },
        ] satisfies Step[])
          await apply(reset, model);
        await check(model, []);
        for (let i = 0; i < steps.length; i++) {
          await apply(steps[i]!, model);
          await check(model, steps.slice(0, i + 1));
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS, plugins: [fc.interruptAfterTimeLimit(120_000)] },
    );
  }, 180_000);
});
