import fc from 'fast-check';
import { CAEP, jti, putSignals, RISC, startTestIdp, type TestIdp } from '../support/signals.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  type ScimClient,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/**
 * Over any sequence of signals (Shared Signals suspend and enable, Universal Logout, replays of
 * earlier tokens), revocations, admin restores and SCIM deactivations, every key reads exactly as a
 * small model says: an enabling signal or an admin restores only what a signal suspended, never a
 * revoked key nor one suspended for another reason (owner_inactive); a suspended key never
 * authorizes (DESIGN §9, §11).
 */
const SEED = Number(process.env.KEYSCOPE_PROPERTY_SEED ?? 14);
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let idp: TestIdp;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  idp = await startTestIdp('https://model.idp.test');
  scim = await scimClient(app);
  // Each run makes fresh people and keys: past the default limit of 100 live keys.
  const policy = await app.http
    .patch('/api/v1/organizations/current')
    .set('Authorization', `Bearer ${app.adminToken}`)
    .send({ maxKeys: 100000 });
  expect(policy.status).toBe(200);
  const res = await putSignals(app, {
    transmitters: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }],
    universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await idp.close();
  await app.close();
});

type Step =
  | { do: 'ssf'; user: number; event: 'session-revoked' | 'account-disabled' | 'account-enabled' }
  | { do: 'logout'; user: number }
  | { do: 'replay'; which: number }
  | { do: 'revoke'; key: number }
  | { do: 'restore'; key: number }
  | { do: 'restoreAll'; user: number }
  | { do: 'active'; user: number; active: boolean };

const USERS = 2;
const KEYS_PER_USER = 1;
// Weighted towards what interacts (a signal, then a revocation or a restore): the mutations this
// test must catch (a restore that lifts a revocation) need such a sequence.
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      do: fc.constant('ssf' as const),
      user: fc.nat(USERS - 1),
      event: fc.constantFrom('session-revoked' as const, 'account-disabled' as const, 'account-enabled' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('logout' as const), user: fc.nat(USERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ do: fc.constant('replay' as const), which: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('revoke' as const), key: fc.nat(USERS * KEYS_PER_USER - 1) }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('restore' as const), key: fc.nat(USERS * KEYS_PER_USER - 1) }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('restoreAll' as const), user: fc.nat(USERS - 1) }) },
  {
    weight: 1,
    arbitrary: fc.record({ do: fc.constant('active' as const), user: fc.nat(USERS - 1), active: fc.boolean() }),
  },
);

interface ModelKey {
  id: string;
  token: string;
  user: number;
  revoked: boolean;
  signal: 'idp_signal' | 'idp_logout' | null;
}

const now = () => Math.floor(Date.now() / 1000);
const auth = () => `Bearer ${app.adminToken}`;

describe('restoring after signals', () => {
  it('restores exactly what signals suspended, and a suspended key never authorizes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 12, size: 'large' }), async (steps) => {
        run++;
        const users: { id: string; email: string; active: boolean }[] = [];
        const keys: ModelKey[] = [];
        for (let u = 0; u < USERS; u++) {
          const email = `m${run}u${u}-${Math.random().toString(36).slice(2, 7)}@example.com`;
          const id = (await scim.post('/Users', oktaUser(email))).body.id as string;
          users.push({ id, email, active: true });
          for (let k = 0; k < KEYS_PER_USER; k++) {
            const key = await createKey(app, { name: `m${run}`, kind: 'personal', ownerUserId: id });
            keys.push({ id: key.id, token: key.token, user: u, revoked: false, signal: null });
          }
        }
        const sent: { send: () => Promise<number> }[] = [];

        for (const s of steps) {
          if (s.do === 'ssf' || s.do === 'logout') {
            const user = users[s.user]!;
            const token =
              s.do === 'ssf'
                ? await idp.sign({
                    iss: idp.issuer,
                    aud: PUBLIC_URL,
                    jti: jti(),
                    iat: now(),
                    sub_id: { format: 'email', email: user.email },
                    events: { [`${s.event === 'session-revoked' ? CAEP : RISC}${s.event}`]: {} },
                  })
                : await idp.sign(
                    { iss: idp.issuer, aud: PUBLIC_URL, jti: jti(), iat: now(), exp: now() + 600 },
                    { typ: 'JWT' },
                  );
            const send =
              s.do === 'ssf'
                ? async () =>
                    (
                      await app.http
                        .post(`/ssf/events/${app.orgId}`)
                        .set('Content-Type', 'application/secevent+jwt')
                        .send(token)
                    ).status
                : async () =>
                    (
                      await app.http
                        .post('/api/v1/global-token-revocation')
                        .set('Authorization', `Bearer ${token}`)
                        .send({ sub_id: { format: 'email', email: user.email } })
                    ).status;
            expect(await send()).toBe(s.do === 'ssf' ? 202 : 204);
            sent.push({ send });
            for (const k of keys.filter((k) => k.user === s.user)) {
              if (s.do === 'ssf' && s.event === 'account-enabled') k.signal = null;
              else if (!k.revoked && k.signal === null) k.signal = s.do === 'ssf' ? 'idp_signal' : 'idp_logout';
            }
          } else if (s.do === 'replay') {
            // The same token again: accepted, and no second effect.
            if (sent.length) expect([202, 204]).toContain(await sent[s.which % sent.length]!.send());
          } else if (s.do === 'revoke') {
            const k = keys[s.key]!;
            expect((await app.http.delete(`/api/v1/keys/${k.id}`).set('Authorization', auth())).status).toBe(200);
            k.revoked = true;
          } else if (s.do === 'restore') {
            const k = keys[s.key]!;
            expect((await app.http.post(`/api/v1/keys/${k.id}/restore`).set('Authorization', auth())).status).toBe(200);
            k.signal = null;
          } else if (s.do === 'restoreAll') {
            const res = await app.http
              .post('/api/v1/keys/restore')
              .set('Authorization', auth())
              .send({ ownerUserId: users[s.user]!.id });
            expect(res.status).toBe(200);
            const expected = keys.filter((k) => k.user === s.user && k.signal !== null).map((k) => k.id);
            expect([...res.body.restored].sort()).toEqual(expected.sort());
            for (const k of keys) if (k.user === s.user) k.signal = null;
          } else {
            const user = users[s.user]!;
            await scim.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: s.active } }));
            user.active = s.active;
          }

          for (const k of keys) {
            const want = k.revoked
              ? { status: 'revoked', statusReason: null }
              : k.signal
                ? { status: 'suspended', statusReason: k.signal }
                : !users[k.user]!.active
                  ? { status: 'suspended', statusReason: 'owner_inactive' }
                  : { status: 'active', statusReason: null };
            const read = await app.http.get(`/api/v1/keys/${k.id}`).set('Authorization', auth());
            expect({ step: s, key: k.id, ...pick(read.body) }).toEqual({ step: s, key: k.id, ...want });
            const me = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${k.token}`);
            expect({ step: s, key: k.id, status: me.status }).toEqual({
              step: s,
              key: k.id,
              status: want.status === 'active' ? 200 : 401,
            });
          }
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  }, 900_000);
});

function pick(body: { status: string; statusReason: string | null }) {
  return { status: body.status, statusReason: body.statusReason };
}
