import { generateKeyPair } from 'jose';
import { CAEP, jti, putSignals, RISC, startTestIdp, type TestIdp, unsignedJwt } from '../support/signals.js';
import { createKey, oktaUser, scimClient, type ScimClient, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Shared Signals push delivery (RFC 8935): Security Event Tokens (RFC 8417) signed by a transmitter
 * configured for the organization, verified against its JWKS served over real HTTP (or given inline),
 * answered 202 or 400 `{err, description}`; CAEP and RISC events suspend (idp_signal) or restore
 * exactly the keys a signal suspended; the same jti twice has one effect; every SET is audited.
 */
const PUBLIC_URL = 'http://keyscope.test';
let app: TestApp;
let idp: TestIdp;
let inline: TestIdp;
let scim: ScimClient;
let endpoint: string;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  idp = await startTestIdp('https://ssf.transmitter.test');
  inline = await startTestIdp('https://inline.transmitter.test');
  scim = await scimClient(app);
  endpoint = `/ssf/events/${app.orgId}`;
  const res = await putSignals(app, {
    transmitters: [
      { issuer: idp.issuer, jwksUri: idp.jwksUri },
      { issuer: inline.issuer, jwks: { keys: [inline.publicJwk] } },
    ],
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await inline.close();
  await idp.close();
  await app.close();
});

const now = () => Math.floor(Date.now() / 1000);
function set(event: string, subject: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    iss: idp.issuer,
    aud: PUBLIC_URL,
    jti: jti(),
    iat: now(),
    sub_id: subject,
    events: { [event]: { event_timestamp: now() } },
    ...extra,
  };
}
const push = (token: string, path = endpoint, type = 'application/secevent+jwt') =>
  app.http.post(path).set('Content-Type', type).send(token);
const me = (token: string) => app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
const admin = (req: { set(k: string, v: string): unknown }) => req.set('Authorization', `Bearer ${app.adminToken}`);

async function person(name: string, extra: Record<string, unknown> = {}) {
  const email = `${name}@example.com`;
  const userId = (await scim.post('/Users', oktaUser(email, extra))).body.id as string;
  const key = await createKey(app, { name: `${name}'s key`, kind: 'personal', ownerUserId: userId });
  return { email, userId, key };
}

async function latestSignalAudit(): Promise<Record<string, unknown>> {
  const res = await app.http
    .get('/api/v1/audit?action=signal.received&limit=1')
    .set('Authorization', `Bearer ${app.adminToken}`);
  return res.body.items[0];
}

describe('Shared Signals push delivery', () => {
  it('CAEP session-revoked suspends the person’s keys (idp_signal); account-enabled restores exactly those', async () => {
    const { email, userId, key } = await person('sally');
    const revokedOne = await createKey(app, { name: 'revoked', kind: 'personal', ownerUserId: userId });
    await app.http.delete(`/api/v1/keys/${revokedOne.id}`).set('Authorization', `Bearer ${app.adminToken}`);

    const res = await push(await idp.sign(set(`${CAEP}session-revoked`, { format: 'email', email })));
    expect(res.status).toBe(202);
    expect((await me(key.token)).body.code).toBe('idp_signal');
    expect(await latestSignalAudit()).toMatchObject({
      target: `user:${userId}`,
      details: {
        source: 'ssf',
        accepted: true,
        eventType: `${CAEP}session-revoked`,
        issuer: idp.issuer,
        subject: { format: 'email', email },
        keysSuspended: 1,
      },
    });

    const enabled = await push(await idp.sign(set(`${RISC}account-enabled`, { format: 'email', email })));
    expect(enabled.status).toBe(202);
    expect((await me(key.token)).status).toBe(200);
    const revoked = await app.http
      .get(`/api/v1/keys/${revokedOne.id}`)
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(revoked.body.status).toBe('revoked');
    const restores = await app.http
      .get(`/api/v1/audit?action=key.restore&target=key:${key.id}`)
      .set('Authorization', `Bearer ${app.adminToken}`);
    expect(restores.body.items).toHaveLength(1);
    expect(restores.body.items[0].details).toEqual({ ownerUserId: userId });
  });

  it.each([[`${CAEP}credential-change`], [`${RISC}account-disabled`], [`${RISC}account-purged`]])(
    '%s suspends the keys',
    async (event) => {
      const name = `p${Math.random().toString(36).slice(2, 8)}`;
      const { key } = await person(name, { externalId: `ext-${name}` });
      // iss_sub names the user by externalId; the subject may also sit inside the event (CAEP drafts).
      const claims = set(event, { format: 'iss_sub', iss: idp.issuer, sub: `ext-${name}` });
      expect((await push(await idp.sign(claims))).status).toBe(202);
      expect((await me(key.token)).body.code).toBe('idp_signal');
    },
  );

  it('finds the person by an opaque id (their keyscope id) in the event’s subject, from an inline JWKS', async () => {
    const { userId, key } = await person('olga');
    const claims = {
      iss: inline.issuer,
      aud: `${PUBLIC_URL}/ssf/events/${app.orgId}`,
      jti: jti(),
      iat: now(),
      events: { [`${RISC}account-disabled`]: { subject: { format: 'opaque', id: userId } } },
    };
    expect((await push(await inline.sign(claims))).status).toBe(202);
    expect((await me(key.token)).body.code).toBe('idp_signal');
  });

  it('the same jti twice has one effect', async () => {
    const { email, key } = await person('rené');
    const token = await idp.sign(set(`${RISC}account-disabled`, { format: 'email', email }));
    expect((await push(token)).status).toBe(202);
    await admin(app.http.post(`/api/v1/keys/${key.id}/restore`));
    expect((await me(key.token)).status).toBe(200);
    expect((await push(token)).status).toBe(202);
    expect((await me(key.token)).status).toBe(200);
    expect(await latestSignalAudit()).toMatchObject({ details: { accepted: true, duplicate: true } });
  });

  it('a verification event is accepted with no effect', async () => {
    const token = await idp.sign({
      iss: idp.issuer,
      aud: PUBLIC_URL,
      jti: jti(),
      iat: now(),
      events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'abc' } },
    });
    expect((await push(token)).status).toBe(202);
  });

  it('refuses with RFC 8935 errors, has no effect, and audits each refusal', async () => {
    const { email, key } = await person('wanda');
    const subject = { format: 'email', email };
    const event = `${RISC}account-disabled`;
    const other = await generateKeyPair('ES256');
    const cases: [string, () => Promise<{ status: number; body: { err: string } }>, string][] = [
      [
        'wrong issuer',
        async () => push(await idp.sign(set(event, subject, { iss: 'https://unknown.test' }))),
        'invalid_issuer',
      ],
      [
        'wrong audience',
        async () => push(await idp.sign(set(event, subject, { aud: 'https://else.test' }))),
        'invalid_audience',
      ],
      ['expired', async () => push(await idp.sign(set(event, subject, { exp: now() - 600 }))), 'invalid_request'],
      ['alg none', async () => push(unsignedJwt(set(event, subject))), 'invalid_key'],
      [
        'other key',
        async () => push(await idp.sign(set(event, subject), { alg: 'ES256', key: other.privateKey })),
        'invalid_key',
      ],
      [
        'unknown subject',
        async () => push(await idp.sign(set(event, { format: 'email', email: 'x@nowhere.test' }))),
        'invalid_request',
      ],
      [
        'unsupported format',
        async () => push(await idp.sign(set(event, { format: 'phone_number', phone_number: '+1' }))),
        'invalid_request',
      ],
      [
        'unknown event',
        async () => push(await idp.sign(set(`${CAEP}token-claims-change`, subject))),
        'invalid_request',
      ],
      [
        'two events',
        async () =>
          push(await idp.sign(set(event, subject, { events: { [event]: {}, [`${CAEP}session-revoked`]: {} } }))),
        'invalid_request',
      ],
      ['no jti', async () => push(await idp.sign(set(event, subject, { jti: undefined }))), 'invalid_request'],
      ['typ JWT', async () => push(await idp.sign(set(event, subject), { typ: 'JWT' })), 'invalid_request'],
      ['not a JWT', async () => push('hello'), 'invalid_request'],
      // What the sender writes reaches jsonb and the prototype of a lookup table: neither may break us.
      [
        'NUL in the subject',
        async () => push(await idp.sign(set(event, { format: 'email', email: 'a\u0000b@example.com' }))),
        'invalid_request',
      ],
      ['event type constructor', async () => push(await idp.sign(set('constructor', subject))), 'invalid_request'],
      ['NUL in the event type', async () => push(await idp.sign(set(`${event}\u0000`, subject))), 'invalid_request'],
      [
        'wrong content type',
        async () => push(await idp.sign(set(event, subject)), endpoint, 'application/json'),
        'invalid_request',
      ],
      [
        'unknown organization',
        async () => push(await idp.sign(set(event, subject)), '/ssf/events/00000000-0000-4000-8000-000000000000'),
        'invalid_issuer',
      ],
      [
        'not an organization id',
        async () => push(await idp.sign(set(event, subject)), '/ssf/events/default'),
        'invalid_issuer',
      ],
    ];
    const before = await countSignalAudits();
    for (const [what, send, err] of cases) {
      const res = await send();
      expect([what, res.status, res.body.err]).toEqual([what, 400, err]);
      expect(typeof (res.body as { description?: unknown }).description).toBe('string');
    }
    expect((await me(key.token)).status).toBe(200);
    // Every refusal that reached this organization's endpoint is in its audit log (not the other organizations').
    expect((await countSignalAudits()) - before).toBe(cases.length - 2);
  });
});

async function countSignalAudits(): Promise<number> {
  const res = await app.http
    .get('/api/v1/audit?action=signal.received&limit=500')
    .set('Authorization', `Bearer ${app.adminToken}`);
  return res.body.items.length;
}
