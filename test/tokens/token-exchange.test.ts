import { type CryptoKey, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { createGroup, createUser } from '../support/clients.js';
import { bearer, createOrganization } from '../support/orgs.js';
import {
  createKey,
  oktaUser,
  patchOp,
  scimClient,
  startTestApp,
  type ScimClient,
  type TestApp,
} from '../support/test-app.js';

const ISSUER = 'https://keyscope.test';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

let app: TestApp;
let scim: ScimClient;
let gatewayGroup: string;
let alice: { id: string; userName: string };
let bob: { id: string };
let imp: { token: string; id: string };
let plain: { token: string; id: string };
let introspector: string;

/** A form-encoded token request (RFC 8693 §2.1) with `key` as Bearer and subject_token. */
function exchange(key: string, extra: Record<string, string> = {}) {
  return app.http
    .post('/api/v1/token')
    .set(bearer(key))
    .type('form')
    .send({ grant_type: GRANT, subject_token: key, subject_token_type: ACCESS, ...extra });
}

const introspect = (token: string) => app.http.post('/api/v1/introspect').set(bearer(introspector)).send({ token });

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read,reports:write', PUBLIC_URL: ISSUER } });
  scim = await scimClient(app);
  const a = await createUser(scim, oktaUser('alice@example.com'));
  alice = { id: a.id, userName: 'alice@example.com' };
  bob = await createUser(scim, oktaUser('bob@example.com'));
  const analysts = await createGroup(scim, {
    displayName: 'Analysts',
    members: [{ value: alice.id }, { value: bob.id }],
  });
  await app.http
    .put(`/api/v1/groups/${analysts.id}/rules`)
    .set(bearer(app.adminToken))
    .send({ rules: [{ permission: 'reports:read' }] });
  await scim.patch(`/Users/${bob.id}`, patchOp({ op: 'replace', value: { active: false } }));
  const gateway = await app.http
    .post('/api/v1/groups')
    .set(bearer(app.adminToken))
    .send({ displayName: 'Embedding backend', rules: [{ permission: 'reports:*' }, { permission: 'users:read' }] });
  gatewayGroup = gateway.body.id;
  imp = await createKey(app, { name: 'embedding', groupId: gatewayGroup, impersonation: true });
  plain = await createKey(app, { name: 'plain', groupId: gatewayGroup });
  const introspectors = await app.http
    .post('/api/v1/groups')
    .set(bearer(app.adminToken))
    .send({ displayName: 'Introspectors', rules: [{ permission: 'keys:introspect' }] });
  introspector = (await createKey(app, { name: 'gateway', groupId: introspectors.body.id })).token;
});
afterAll(() => app.close());

describe('impersonation keys', () => {
  it('shows the flag in every read and list, and refuses to change it', async () => {
    const got = await app.http.get(`/api/v1/keys/${imp.id}`).set(bearer(app.adminToken));
    expect(got.body.impersonation).toBe(true);
    const list = await app.http.get('/api/v1/keys?owner=all').set(bearer(app.adminToken));
    const byId = new Map((list.body.items as { id: string; impersonation: boolean }[]).map((k) => [k.id, k]));
    expect(byId.get(imp.id)?.impersonation).toBe(true);
    expect(byId.get(plain.id)?.impersonation).toBe(false);
    const patch = await app.http
      .patch(`/api/v1/keys/${plain.id}`)
      .set(bearer(app.adminToken))
      .send({ impersonation: true });
    expect(patch.status).toBe(400);
    expect(patch.body.code).toBe('impersonation_fixed');
    const same = await app.http
      .patch(`/api/v1/keys/${imp.id}`)
      .set(bearer(app.adminToken))
      .send({ impersonation: true });
    expect(same.status).toBe(200);
  });

  it('only org:admin or keys:impersonate may create one; rotation keeps the flag', async () => {
    const managers = await app.http
      .post('/api/v1/groups')
      .set(bearer(app.adminToken))
      .send({ displayName: 'Managers', rules: [{ role: 'key-manager' }, { permission: 'reports:*' }] });
    const manager = await createKey(app, { name: 'manager', groupId: managers.body.id });
    const refused = await app.http
      .post('/api/v1/keys')
      .set(bearer(manager.token))
      .send({ name: 'x', groupId: gatewayGroup, impersonation: true });
    expect(refused.status).toBe(403);
    await app.http
      .put(`/api/v1/groups/${managers.body.id}/rules`)
      .set(bearer(app.adminToken))
      .send({ rules: [{ role: 'key-manager' }, { permission: 'reports:*' }, { permission: 'keys:impersonate' }] });
    const allowed = await createKey(app, { name: 'y', groupId: gatewayGroup, impersonation: true }, manager.token);
    expect(allowed.key.impersonation).toBe(true);
    const rotated = await app.http.post(`/api/v1/keys/${allowed.id}/rotate`).set(bearer(app.adminToken)).send({});
    expect(rotated.status).toBe(201);
    expect(rotated.body.key.impersonation).toBe(true);
    const audit = await app.http
      .get(`/api/v1/audit?action=key.create&target=key:${allowed.id}`)
      .set(bearer(app.adminToken));
    expect(audit.body.items[0].details.impersonation).toBe(true);
    await app.http.delete(`/api/v1/keys/${rotated.body.key.id}`).set(bearer(app.adminToken));
    const revoked = await app.http
      .get(`/api/v1/audit?action=key.revoke&target=key:${rotated.body.key.id}`)
      .set(bearer(app.adminToken));
    expect(revoked.body.items[0].details.impersonation).toBe(true);
  });
});

describe('POST /api/v1/token (RFC 8693)', () => {
  it('exchanges a key for a short-lived JWT of its own grant (form-encoded), not cacheable', async () => {
    const res = await exchange(plain.token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'reports:* users:read',
    });
    const header = decodeProtectedHeader(res.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: `key:${plain.id}`,
      aud: ISSUER,
      scope: 'reports:* users:read',
      org: app.orgId,
      key_id: plain.id,
      jti: expect.any(String),
    });
    expect(claims.act).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.nbf).toBe(claims.iat);
  });

  it('accepts JSON too, narrows by scope and honours expires_in', async () => {
    const res = await app.http.post('/api/v1/token').set(bearer(plain.token)).send({
      grant_type: GRANT,
      subject_token: plain.token,
      subject_token_type: ACCESS,
      scope: 'reports:read',
      expires_in: 60,
      audience: 'https://reports.example.com',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ expires_in: 60, scope: 'reports:read' });
    expect(decodeJwt(res.body.access_token).aud).toBe('https://reports.example.com');
  });

  it('the token works on /me and /authorize, for its scope only, and nowhere else', async () => {
    const { access_token: jwt } = (await exchange(plain.token, { scope: 'reports:read' })).body;
    const me = await app.http.get('/api/v1/me').set(bearer(jwt));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ key: { id: plain.id }, token: { sub: `key:${plain.id}`, scope: 'reports:read' } });
    expect(me.body.permissions).toEqual([{ permission: 'reports:read', resources: null }]);
    const yes = await app.http.post('/api/v1/authorize').set(bearer(jwt)).send({ permission: 'reports:read' });
    expect(yes.body).toEqual({ allowed: true });
    const no = await app.http.post('/api/v1/authorize').set(bearer(jwt)).send({ permission: 'reports:write' });
    expect(no.body.allowed).toBe(false);
    for (const path of ['/api/v1/users', '/api/v1/keys', '/api/v1/audit']) {
      const res = await app.http.get(path).set(bearer(jwt));
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    expect((await app.http.get('/scim/v2/Users').set(bearer(jwt))).status).toBe(401);
    const again = await exchange(jwt);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_client');
  });

  it('an impersonation key gets a token of an active user, never more than both hold, audited', async () => {
    const res = await exchange(imp.token, { requested_subject: alice.userName });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('reports:read');
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({ sub: alice.id, act: { sub: `key:${imp.id}` }, key_id: imp.id });
    const me = await app.http.get('/api/v1/me').set(bearer(res.body.access_token));
    expect(me.body.owner).toEqual({ id: alice.id, userName: alice.userName });
    const write = await app.http
      .post('/api/v1/authorize')
      .set(bearer(res.body.access_token))
      .send({ permission: 'reports:write' });
    expect(write.body.allowed).toBe(false);
    const byId = await exchange(imp.token, { requested_subject: alice.id, scope: 'reports:read' });
    expect(byId.status).toBe(200);
    const audit = await app.http
      .get(`/api/v1/audit?action=key.impersonate&target=user:${alice.id}`)
      .set(bearer(app.adminToken));
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
    expect(audit.body.items[0]).toMatchObject({ actor: { id: `key:${imp.id}` }, details: { keyId: imp.id } });
  });

  it('refuses impersonation without the flag, of another organization, of a deactivated user, and a wider scope', async () => {
    const noFlag = await exchange(plain.token, { requested_subject: alice.userName });
    expect(noFlag.status).toBe(400);
    expect(noFlag.body.error).toBe('unauthorized_client');

    const other = await createOrganization(app);
    const otherScim = await app.http.post('/api/v1/keys').set(bearer(other.token)).send({ name: 'scim', scim: true });
    const carol = await app.http
      .post('/scim/v2/Users')
      .set(bearer(otherScim.body.token))
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify(oktaUser('carol@example.com')));
    expect(carol.status).toBe(201);
    for (const subject of [carol.body.id, 'carol@example.com', bob.id, 'bob@example.com', 'nobody']) {
      const res = await exchange(imp.token, { requested_subject: subject });
      expect({ subject, status: res.status, error: res.body.error }).toEqual({
        subject,
        status: 400,
        error: 'invalid_request',
      });
    }

    const wider = await exchange(imp.token, { requested_subject: alice.userName, scope: 'reports:write' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    const beyondKey = await exchange(plain.token, { scope: 'keys:read' });
    expect(beyondKey.body.error).toBe('invalid_scope');
  });

  it('answers every error the RFC 6749 §5.2 way', async () => {
    const cases: [string, ReturnType<typeof exchange>, number, string][] = [
      ['no key', app.http.post('/api/v1/token').type('form').send({ grant_type: GRANT }), 401, 'invalid_client'],
      ['wrong key', exchange('ksk_nope'), 401, 'invalid_client'],
      ['grant type', exchange(plain.token, { grant_type: 'client_credentials' }), 400, 'unsupported_grant_type'],
      ['subject type', exchange(plain.token, { subject_token_type: 'urn:x' }), 400, 'invalid_request'],
      ['other subject', exchange(plain.token, { subject_token: imp.token }), 400, 'invalid_request'],
      ['too long', exchange(plain.token, { expires_in: '901' }), 400, 'invalid_request'],
      ['not a number', exchange(plain.token, { expires_in: 'soon' }), 400, 'invalid_request'],
      ['bad scope', exchange(plain.token, { scope: 'NOT A SCOPE' }), 400, 'invalid_scope'],
      ['bad audience', exchange(plain.token, { audience: 'two words' }), 400, 'invalid_target'],
      ['resource', exchange(plain.token, { resource: 'https://x' }), 400, 'invalid_target'],
      [
        'repeated',
        app.http
          .post('/api/v1/token')
          .set(bearer(plain.token))
          .type('form')
          .send(
            `grant_type=${encodeURIComponent(GRANT)}&grant_type=x&subject_token=${plain.token}&subject_token_type=${encodeURIComponent(ACCESS)}`,
          ),
        400,
        'invalid_request',
      ],
      [
        'content type',
        app.http.post('/api/v1/token').set(bearer(plain.token)).set('Content-Type', 'text/plain').send('x'),
        400,
        'invalid_request',
      ],
      [
        'bad JSON',
        app.http.post('/api/v1/token').set(bearer(plain.token)).set('Content-Type', 'application/json').send('{'),
        400,
        'invalid_request',
      ],
    ];
    for (const [name, request, status, error] of cases) {
      const res = await request;
      expect({ name, status: res.status, error: res.body.error, described: typeof res.body.error_description }).toEqual(
        {
          name,
          status,
          error,
          described: 'string',
        },
      );
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });
});

describe('revocation and deactivation end a token at once', () => {
  it('a token of a revoked key is refused and introspects inactive', async () => {
    const key = await createKey(app, { name: 'short lived', groupId: gatewayGroup });
    const { access_token: jwt } = (await exchange(key.token)).body;
    expect((await app.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(200);
    const active = await introspect(jwt);
    expect(active.body).toMatchObject({ active: true, sub: `key:${key.id}`, client_id: key.id, iss: ISSUER });
    await app.http.delete(`/api/v1/keys/${key.id}`).set(bearer(app.adminToken));
    const me = await app.http.get('/api/v1/me').set(bearer(jwt));
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('key_revoked');
    expect((await introspect(jwt)).body).toEqual({ active: false });
  });

  it('an impersonation token ends when its user is deactivated', async () => {
    const dave = await createUser(scim, oktaUser('dave@example.com'));
    const { access_token: jwt } = (await exchange(imp.token, { requested_subject: dave.id })).body;
    expect(jwt).toEqual(expect.any(String));
    expect((await app.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(200);
    await scim.patch(`/Users/${dave.id}`, patchOp({ op: 'replace', value: { active: false } }));
    expect((await app.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(401);
    expect((await introspect(jwt)).body).toEqual({ active: false });
  });

  it('expires at exp', async () => {
    const { access_token: jwt } = (await exchange(plain.token, { expires_in: '30' })).body;
    expect((await app.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(200);
    app.clock.advance(40_000);
    expect((await app.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(401);
    expect((await introspect(jwt)).body).toEqual({ active: false });
  });
});

describe('forged tokens are refused', () => {
  async function currentPrivateKey(): Promise<{ kid: string; key: CryptoKey }> {
    await exchange(plain.token);
    const { rows } = await app.db.query<{ kid: string; private_jwk: string }>(
      'SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL',
    );
    const row = rows[0]!;
    return { kid: row.kid, key: (await importJWK(JSON.parse(row.private_jwk) as JWK, 'ES256')) as CryptoKey };
  }

  const claims = () => ({ scope: 'reports:read', org: app.orgId, key_id: plain.id });

  async function sign(key: CryptoKey, kid: string, edit: (jwt: SignJWT) => SignJWT = (j) => j): Promise<string> {
    const now = Math.floor(app.clock.now.getTime() / 1000);
    return edit(
      new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(ISSUER)
        .setSubject(`key:${plain.id}`)
        .setAudience(ISSUER)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 300)
        .setJti('forged'),
    ).sign(key);
  }

  it('accepts what the real key signs, and refuses another key, alg none, wrong iss or aud, expired', async () => {
    const real = await currentPrivateKey();
    const genuine = await sign(real.key, real.kid);
    expect((await app.http.get('/api/v1/me').set(bearer(genuine))).status).toBe(200);

    const other = await generateKeyPair('ES256');
    const segments = genuine.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: real.kid })).toString('base64url')}.${segments[1]}.`;
    const forged = {
      'another key': await sign(other.privateKey, real.kid),
      'alg none': none,
      'wrong iss': await sign(real.key, real.kid, (j) => j.setIssuer('https://evil.example')),
      'wrong aud': await sign(real.key, real.kid, (j) => j.setAudience('https://elsewhere.example')),
      expired: await sign(real.key, real.kid, (j) =>
        j.setExpirationTime(Math.floor(app.clock.now.getTime() / 1000) - 60),
      ),
      'not yet valid': await sign(real.key, real.kid, (j) =>
        j.setNotBefore(Math.floor(app.clock.now.getTime() / 1000) + 600),
      ),
      'tampered claims': `${segments[0]}.${Buffer.from(JSON.stringify({ ...decodeJwt(genuine), scope: '*' })).toString('base64url')}.${segments[2]}`,
    };
    for (const [name, token] of Object.entries(forged)) {
      const res = await app.http.get('/api/v1/me').set(bearer(token));
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      // Introspection describes a genuine token made for another audience (RFC 7662): only that one reads active.
      const introspected = (await introspect(token)).body;
      expect({ name, active: introspected.active }).toEqual({ name, active: name === 'wrong aud' });
    }
  });
});

describe('on every process within a second', () => {
  it('a token is refused by a second process once its user is deactivated or its key revoked on the first', async () => {
    const db = await app.database.connectAgain();
    const two = await startTestApp({
      database: app.database,
      db,
      adminToken: app.adminToken,
      env: { KEYSCOPE_PERMISSIONS: 'reports:read,reports:write', PUBLIC_URL: ISSUER },
    });
    // The first process's clock was moved on above; this one's must agree with it.
    two.clock.advance(app.clock.now.getTime() - two.clock.now.getTime());
    const eventually = async (check: () => Promise<boolean>) => {
      const started = Date.now();
      while (Date.now() - started < 1000) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('not seen within 1 s');
    };
    try {
      const erin = await createUser(scim, oktaUser('erin@example.com'));
      const asErin = (await exchange(imp.token, { requested_subject: erin.id })).body.access_token as string;
      const key = await createKey(app, { name: 'second process', groupId: gatewayGroup });
      const asKey = (await exchange(key.token)).body.access_token as string;
      for (const jwt of [asErin, asKey]) expect((await two.http.get('/api/v1/me').set(bearer(jwt))).status).toBe(200);

      await scim.patch(`/Users/${erin.id}`, patchOp({ op: 'replace', value: { active: false } }));
      await eventually(async () => (await two.http.get('/api/v1/me').set(bearer(asErin))).status === 401);
      await app.http.delete(`/api/v1/keys/${key.id}`).set(bearer(app.adminToken));
      await eventually(async () => (await two.http.get('/api/v1/me').set(bearer(asKey))).status === 401);
    } finally {
      await two.close();
    }
  });
});
