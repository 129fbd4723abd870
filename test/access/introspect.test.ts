import { createKey, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
let introspector: string;

beforeAll(async () => {
  app = await startTestApp({ env: { KEYSCOPE_PERMISSIONS: 'reports:read' } });
  const group = await app.http
    .post('/api/v1/groups')
    .set('Authorization', `Bearer ${app.adminToken}`)
    .send({ displayName: 'Gateways', rules: [{ permission: 'keys:introspect' }] });
  introspector = (await createKey(app, { name: 'api gateway', groupId: group.body.id })).token;
});
afterAll(() => app.close());

const introspect = (token: string, as = introspector) =>
  app.http.post('/api/v1/introspect').set('Authorization', `Bearer ${as}`).send({ token });

describe('POST /api/v1/introspect (RFC 7662)', () => {
  it('describes an active token with RFC 7662 fields and keyscope details, not cacheable', async () => {
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Reporters', rules: [{ permission: 'reports:read' }] });
    const { token, id, key } = await createKey(app, {
      name: 'reporting job',
      groupId: group.body.id,
      expiration: '90d',
    });
    const res = await introspect(token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      active: true,
      scope: 'reports:read',
      client_id: id,
      sub: id,
      token_type: 'Bearer',
      iat: Math.floor(Date.parse(key.createdAt as string) / 1000),
      exp: Math.floor(Date.parse(key.expiresAt as string) / 1000),
      key: { id, name: 'reporting job', kind: 'service', status: 'active' },
      group: { id: group.body.id, name: 'Reporters' },
    });
  });

  it('answers {active: false} for unknown, malformed, revoked and expired tokens, and nothing more', async () => {
    const revoked = await createKey(app, { name: 'revoked' });
    await app.http.delete(`/api/v1/keys/${revoked.id}`).set('Authorization', `Bearer ${app.adminToken}`);
    const expiring = await createKey(app, {
      name: 'expiring',
      expiresAt: new Date(app.clock.now.getTime() + 60_000).toISOString(),
    });
    app.clock.advance(120_000);
    for (const token of [
      'junk',
      revoked.token,
      expiring.token,
      revoked.token.replace(/^ksk_[0-9A-Za-z]{16}/, 'ksk_0000000000000000'),
    ]) {
      const res = await introspect(token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ active: false });
    }
  });

  it('does not record the introspected key as used', async () => {
    const { token, id } = await createKey(app, { name: 'never used' });
    await introspect(token);
    await new Promise((r) => setTimeout(r, 50));
    expect(
      (await app.http.get(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`)).body.lastUsedAt,
    ).toBeNull();
  });

  it('needs keys:introspect', async () => {
    const { token } = await createKey(app, { name: 'plain' });
    const res = await introspect(token, token);
    expect(res.status).toBe(403);
  });
});
