import fc from 'fast-check';
import { isSubset, type Grant } from '../../src/principals/permissions.js';
import {
  configureSignIn,
  type KeyscopeBrowser,
  signInThrough,
  startProvider,
  type TestProvider,
} from '../support/oidc.js';
import { oktaUser, patchOp, scimClient, startTestApp, type ScimClient, type TestApp } from '../support/test-app.js';

/**
 * Issue 11, as a property: a key a person makes for themselves (signed in, or with a personal key of
 * theirs) never holds more than they do, whatever the identity provider and the admins then do to
 * their groups and those groups' rules. Random sequences of steps run against a real keyscope over
 * HTTP (a real OpenID provider for the sign-in); after every step each key made so far is asked what
 * it holds (GET /api/v1/me) and compared with what its owner's session holds.
 *
 * Seeded: KEYSCOPE_PROPERTY_SEED and KEYSCOPE_PROPERTY_RUNS replay or lengthen it.
 */
const SEED = Number(process.env.KEYSCOPE_PROPERTY_SEED ?? 11);
const NUM_RUNS = Number(process.env.KEYSCOPE_PROPERTY_RUNS ?? 12);
const PUBLIC_URL = 'http://keyscope.test';
const PERMISSIONS = ['reports:read', 'reports:write', 'billing:read', 'keys:write'];
const GROUPS = 3;

let app: TestApp;
let provider: TestProvider;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, KEYSCOPE_PERMISSIONS: 'reports:read,reports:write,billing:read' } });
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  scim = await scimClient(app);
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

type Step =
  | { kind: 'join'; group: number }
  | { kind: 'leave'; group: number }
  | { kind: 'rules'; group: number; permissions: string[] }
  | { kind: 'createInSession'; group: number | null; permissions: string[] | null }
  | { kind: 'createWithKey'; using: number; group: number | null; permissions: string[] | null };

const group = fc.integer({ min: 0, max: GROUPS - 1 });
const subset = fc.option(fc.subarray(PERMISSIONS, { minLength: 1 }), { nil: null });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('join' as const), group }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), group }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('rules' as const), group, permissions: fc.subarray(PERMISSIONS) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('createInSession' as const),
      group: fc.option(group, { nil: null }),
      permissions: subset,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('createWithKey' as const),
      using: fc.nat(),
      group: fc.option(group, { nil: null }),
      permissions: subset,
    }),
    weight: 3,
  },
);

let run = 0;
/** How many keys the runs made and checked: a property that never made one would prove nothing. */
let created = 0;
let checks = 0;

async function grantOfKey(token: string): Promise<Grant> {
  const res = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  // A suspended key (its owner left its group) holds nothing.
  return res.status === 200 ? (res.body.permissions as Grant) : [];
}

describe('property: a self-service key never holds more than its owner', () => {
  it('for any sequence of group, membership and rule changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 6, maxLength: 16 }), async (steps) => {
        run++;
        const name = `person${run}`;
        const userId = (await scim.post('/Users', oktaUser(`${name}@example.com`))).body.id as string;
        const groups: string[] = [];
        for (let g = 0; g < GROUPS; g++) {
          const created = await scim.post('/Groups', { displayName: `g${g}-${name}`, members: [] });
          groups.push(created.body.id);
          await app.http
            .put(`/api/v1/groups/${created.body.id}/rules`)
            .set('Authorization', `Bearer ${app.adminToken}`)
            .send({ rules: [{ permission: PERMISSIONS[g]! }] });
        }
        await scim.patch(`/Groups/${groups[0]}`, patchOp({ op: 'add', path: 'members', value: [{ value: userId }] }));
        provider.accounts.set(`okta-${name}`, { preferred_username: `${name}@example.com` });
        const signedIn: KeyscopeBrowser = (await signInThrough(app.keyscope.app, provider, `okta-${name}`)).browser;
        const csrf = await signedIn.csrf();
        const tokens: string[] = [];

        for (const s of steps) {
          if (s.kind === 'join' || s.kind === 'leave') {
            const op =
              s.kind === 'join'
                ? { op: 'add', path: 'members', value: [{ value: userId }] }
                : { op: 'remove', path: `members[value eq "${userId}"]` };
            await scim.patch(`/Groups/${groups[s.group]}`, patchOp(op));
          } else if (s.kind === 'rules') {
            await app.http
              .put(`/api/v1/groups/${groups[s.group]}/rules`)
              .set('Authorization', `Bearer ${app.adminToken}`)
              .send({ rules: s.permissions.map((permission) => ({ permission })) });
          } else {
            const body = {
              name: `k${tokens.length}`,
              ...(s.group !== null ? { groupId: groups[s.group] } : {}),
              ...(s.permissions ? { permissions: s.permissions } : {}),
            };
            const res =
              s.kind === 'createInSession' || tokens.length === 0
                ? await signedIn.send('post', '/api/v1/keys', body, { 'X-CSRF-Token': csrf })
                : await app.http
                    .post('/api/v1/keys')
                    .set('Authorization', `Bearer ${tokens[s.using % tokens.length]}`)
                    .send(body);
            expect(res.status).toBeLessThan(500);
            if (process.env.KEYSCOPE_PROPERTY_VERBOSE)
              process.stderr.write(`${s.kind} ${res.status} ${res.body.detail ?? ''}\n`);
            if (res.status === 201) {
              expect(res.body.key).toEqual(expect.objectContaining({ kind: 'personal', ownerUserId: userId }));
              tokens.push(res.body.token);
              created++;
            }
          }
          // The invariant, after every step: each key holds at most what its owner holds now.
          const me = await signedIn.get('/api/v1/me');
          const owner: Grant = me.status === 200 ? me.body.permissions : [];
          for (const token of tokens) {
            const held = await grantOfKey(token);
            if (held.length) checks++;
            expect({ step: s, held, owner, within: isSubset(held, owner) }).toEqual({
              step: s,
              held,
              owner,
              within: true,
            });
          }
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect({ created: created >= 2 * NUM_RUNS, checksOfKeysHoldingSomething: checks >= 5 * NUM_RUNS }).toEqual({
      created: true,
      checksOfKeysHoldingSomething: true,
    });
    process.stderr.write(`self-service property: ${run} runs, ${created} keys made, ${checks} non-empty checks\n`);
  }, 240_000);
});
