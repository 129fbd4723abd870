import { createHmac } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { configureSignIn, signInThrough, startProvider, type TestProvider } from '../support/oidc.js';
import { jti, putSignals, startTestIdp, type TestIdp, unsignedJwt } from '../support/signals.js';
import { createKey, oktaUser, scimClient, type ScimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Okta Universal Logout (Global Token Revocation): a JWT signed by the organization's identity
 * provider, verified against the JWKS it serves over real HTTP, stops the person it names: their
 * sessions end and their personal keys are suspended (idp_logout) at once; every refusal has its
 * status code and every signal an audit entry.
 */
const PUBLIC_URL = 'http://keyscope.test';
const ENDPOINT = `${PUBLIC_URL}/api/v1/global-token-revocation`;
let app: TestApp;
let idp: TestIdp;
let provider: TestProvider;
let scim: ScimClient;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  idp = await startTestIdp('https://acme.okta.test');
  provider = await startProvider({ redirectUris: [`${PUBLIC_URL}/auth/callback`] });
  scim = await scimClient(app);
  expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
  const res = await putSignals(app, { universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri } });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await provider.close();
  await idp.close();
  await app.close();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: idp.issuer,
  aud: ENDPOINT,
  jti: jti(),
  iat: now(),
  exp: now() + 300,
  ...extra,
});
/** Okta's logout tokens are typed JWT (a typ of secevent+jwt would make them a Security Event Token). */
const ulSign: TestIdp['sign'] = (c, options = {}) => idp.sign(c, { typ: 'JWT', ...options });
const logout = (token: string, body: unknown) =>
  app.http
    .post('/api/v1/global-token-revocation')
    .set('Authorization', `Bearer ${token}`)
    .send(body as object);
const byEmail = (email: string) => ({ sub_id: { format: 'email', email } });
const me = (token: string) => app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);

async function person(name: string, externalId?: string) {
  const email = `${name}@example.com`;
  const userId = (await scim.post('/Users', oktaUser(email, externalId ? { externalId } : {}))).body.id as string;
  const key = await createKey(app, { name: `${name}'s key`, kind: 'personal', ownerUserId: userId });
  return { email, userId, key };
}

async function signalAudits(): Promise<Record<string, unknown>[]> {
  const res = await app.http
    .get('/api/v1/audit?action=signal.received')
    .set('Authorization', `Bearer ${app.adminToken}`);
  return res.body.items;
}

describe('Universal Logout', () => {
  it('ends the person’s sessions and suspends their personal keys (idp_logout), shown on every read', async () => {
    const { email, userId, key } = await person('ulla');
    provider.accounts.set('okta-ulla', { preferred_username: email });
    const { browser, callback } = await signInThrough(app.keyscope.app, provider, 'okta-ulla');
    expect(callback.status).toBe(302);
    const cookie = browser.jar.header();
    expect((await app.http.get('/api/v1/me').set('Cookie', cookie)).status).toBe(200);
    expect((await me(key.token)).status).toBe(200);
    const service = await createKey(app, { name: 'unrelated service key' });

    const res = await logout(await ulSign(claims()), byEmail(email));
    expect(res.status).toBe(204);

    const refused = await me(key.token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('idp_logout');
    const session = await app.http.get('/api/v1/me').set('Cookie', cookie);
    expect(session.status).toBe(401);
    expect(session.body.code).toBe('session_ended');
    expect((await me(service.token)).status).toBe(200);

    const read = await app.http.get(`/api/v1/keys/${key.id}`).set('Authorization', `Bearer ${app.adminToken}`);
    expect(read.body).toMatchObject({ status: 'suspended', statusReason: 'idp_logout' });
    const listed = await app.http
      .get(`/api/v1/keys?status=suspended&ownerUserId=${userId}`)
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([key.id]);

    const audit = await app.http
      .get(`/api/v1/audit?target=key:${key.id}`)
      .set('Authorization', `Bearer ${app.adminToken}`);
    const suspend = audit.body.items.find((e: { action: string }) => e.action === 'key.suspend');
    expect(suspend.details).toEqual({ reason: 'idp_logout', ownerUserId: userId });
    const [received] = await signalAudits();
    expect(received).toMatchObject({
      target: `user:${userId}`,
      details: { source: 'universal_logout', accepted: true, issuer: idp.issuer, keysSuspended: 1, sessionsEnded: 1 },
    });
    expect(JSON.stringify(received)).not.toContain('eyJ');
  });

  it('finds the person by iss_sub (externalId), and the same jti twice has one effect', async () => {
    const { userId, key } = await person('ike', '00u-ike');
    const token = await ulSign(claims());
    const body = { sub_id: { format: 'iss_sub', iss: idp.issuer, sub: '00u-ike' } };
    expect((await logout(token, body)).status).toBe(204);
    expect((await me(key.token)).body.code).toBe('idp_logout');
    // An admin lifts the suspension; the same token replayed must not suspend the key again.
    const restored = await app.http
      .post(`/api/v1/keys/${key.id}/restore`)
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(restored.body).toMatchObject({ status: 'active', statusReason: null });
    expect((await logout(token, body)).status).toBe(204);
    expect((await me(key.token)).status).toBe(200);
    const audits = (await signalAudits()).filter((e) => e.target === `user:${userId}`);
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ details: { accepted: true, duplicate: true, keysSuspended: 0 } });
  });

  it('answers 404 for an unknown person and 422 for an unsupported subject format', async () => {
    const unknown = await logout(await ulSign(claims()), byEmail('nobody@example.com'));
    expect(unknown.status).toBe(404);
    const opaque = await logout(await ulSign(claims()), { sub_id: { format: 'opaque', id: 'x' } });
    expect(opaque.status).toBe(422);
    expect(opaque.body.code).toBe('unsupported_format');
    const [latest, before] = await signalAudits();
    expect(latest).toMatchObject({ details: { accepted: false, error: 'unsupported_format' } });
    expect(before).toMatchObject({ details: { accepted: false, error: 'unknown_subject' } });
  });

  it('answers 400 for a body without a subject identifier, after the token is checked', async () => {
    expect((await logout(await ulSign(claims()), { nothing: true })).status).toBe(400);
    expect((await logout(await ulSign(claims()), 'not json' as unknown as object)).status).toBe(400);
    expect((await logout('junk', { nothing: true })).status).toBe(401);
  });

  it('refuses bad tokens with 401 and tokens of an issuer no organization trusts with 403', async () => {
    const { email, key } = await person('rita');
    const body = byEmail(email);
    const other = await generateKeyPair('RS256');
    const cases: [string, Promise<string> | string, number][] = [
      ['no token', '', 401],
      ['not a JWT', 'abc.def', 401],
      ['alg none', unsignedJwt(claims()), 401],
      ['HS256', hs256(claims()), 401],
      ['signed by another key', ulSign(claims(), { key: other.privateKey }), 401],
      ['wrong audience', ulSign(claims({ aud: 'https://elsewhere.example' })), 401],
      ['expired', ulSign(claims({ iat: now() - 3600, exp: now() - 600 })), 401],
      ['without jti', ulSign(claims({ jti: undefined })), 401],
      ['a Security Event Token', idp.sign(claims(), { typ: 'secevent+jwt' }), 401],
      ['foreign issuer', ulSign(claims({ iss: 'https://evil.okta.test' })), 403],
    ];
    for (const [what, token, status] of cases) {
      const res = await app.http
        .post('/api/v1/global-token-revocation')
        .set('Authorization', `Bearer ${await token}`)
        .send(body);
      expect([what, res.status]).toEqual([what, status]);
      if (status === 401) expect(res.headers['www-authenticate']).toContain('invalid_token');
    }
    expect((await me(key.token)).status).toBe(200);
    // The foreign issuer's request belongs to no organization's audit log: the metric counts it.
    const metrics = await app.http.get('/metrics').set('Authorization', `Bearer ${app.adminToken}`);
    expect(metrics.text).toMatch(/keyscope_signals_total\{source="universal_logout",outcome="unknown_issuer"\} [1-9]/);
    expect(metrics.text).toMatch(/keyscope_signals_total\{source="universal_logout",outcome="accepted"\} [1-9]/);
    // Refusals from the configured issuer are audited in its organization; the foreign one has no organization.
    const refusals = (await signalAudits()).filter((e) => (e.details as { accepted: boolean }).accepted === false);
    expect(refusals.length).toBeGreaterThanOrEqual(6);
  });

  it('under onSignal end_sessions ends sessions and leaves the keys usable', async () => {
    const { email, key } = await person('elsa');
    expect(
      (
        await putSignals(app, {
          universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri },
          onSignal: 'end_sessions',
        })
      ).status,
    ).toBe(200);
    try {
      expect((await logout(await ulSign(claims()), byEmail(email))).status).toBe(204);
      expect((await me(key.token)).status).toBe(200);
    } finally {
      await putSignals(app, { universalLogout: { issuer: idp.issuer, jwksUri: idp.jwksUri } });
    }
  });
});

/** A JWT "signed" with HMAC over a guessable secret: what an attacker would try. */
function hs256(payload: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
}
