import { CAEP, jti, putSignals, RISC, startTestIdp, type TestIdp } from '../support/signals.js';
import { createKey, oktaUser, scimClient, type ScimClient, type TestApp } from '../support/test-app.js';
import { eventually, startTwoProcesses } from '../support/two-processes.js';

/**
 * Two keyscope processes on one database: a signal received by one stops the person's key, cached
 * as valid by the other, within 1 second there too (DESIGN §5, §11), and an enabling signal brings
 * it back just as fast; through the same LISTEN/NOTIFY invalidation as every other key change.
 */
const PUBLIC_URL = 'http://keyscope.test';
let one: TestApp;
let two: TestApp;
let idp: TestIdp;
let scim: ScimClient;

beforeAll(async () => {
  ({ one, two } = await startTwoProcesses({ PUBLIC_URL }));
  idp = await startTestIdp('https://ssf.pickup.test');
  scim = await scimClient(one);
  expect(
    (
      await putSignals(one, {
        transmitters: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }],
        universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri },
      })
    ).status,
  ).toBe(200);
});
afterAll(async () => {
  await idp.close();
  await two.close();
  await one.close();
});

const now = () => Math.floor(Date.now() / 1000);
const status = async (app: TestApp, token: string) =>
  (await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status;

async function personWithKey(name: string) {
  const email = `${name}@example.com`;
  const userId = (await scim.post('/Users', oktaUser(email))).body.id as string;
  const { token } = await createKey(one, { name, kind: 'personal', ownerUserId: userId });
  // Both processes verify and cache it first.
  expect(await status(one, token)).toBe(200);
  expect(await status(two, token)).toBe(200);
  return { email, token };
}

const pushSet = async (event: string, email: string) =>
  one.http
    .post(`/ssf/events/${one.orgId}`)
    .set('Content-Type', 'application/secevent+jwt')
    .send(
      await idp.sign({
        iss: idp.issuer,
        aud: PUBLIC_URL,
        jti: jti(),
        iat: now(),
        sub_id: { format: 'email', email },
        events: { [event]: {} },
      }),
    );

describe('signals reach every process', () => {
  it('a SET received by one process suspends a key the other has cached within 1 second, and account-enabled restores it', async () => {
    const { email, token } = await personWithKey('pia');
    expect((await pushSet(`${CAEP}session-revoked`, email)).status).toBe(202);
    const took = await eventually(async () => (await status(two, token)) === 401, 1000);
    expect(took).toBeLessThan(1000);
    const refused = await two.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(refused.body.code).toBe('idp_signal');

    expect((await pushSet(`${RISC}account-enabled`, email)).status).toBe(202);
    await eventually(async () => (await status(two, token)) === 200, 1000);
  });

  it('a Universal Logout received by one process suspends a key the other has cached within 1 second', async () => {
    const { email, token } = await personWithKey('quinn');
    const logout = await one.http
      .post('/api/v1/global-token-revocation')
      .set(
        'Authorization',
        `Bearer ${await idp.sign({ iss: idp.issuer, aud: PUBLIC_URL, jti: jti(), iat: now(), exp: now() + 60 }, { typ: 'JWT' })}`,
      )
      .send({ sub_id: { format: 'email', email } });
    expect(logout.status).toBe(204);
    await eventually(async () => (await status(two, token)) === 401, 1000);
  });
});
