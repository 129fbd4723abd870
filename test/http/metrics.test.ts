import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { Metrics } from '../../src/http/metrics.js';
import { createKey, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** /metrics on the public listener, with the bootstrap admin key (role admin: `*` covers metrics:read). */
const scrape = () => app.http.get('/metrics').set('Authorization', `Bearer ${app.adminToken}`);

const metric = (text: string, name: string, labels = ''): number =>
  [...text.matchAll(new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} ([0-9.e+-]+)$`, 'gm'))].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );

describe('GET /metrics (Prometheus)', () => {
  it('counts requests and latency by route, with ids folded so labels stay bounded', async () => {
    const scim = await scimClient(app);
    for (let i = 0; i < 3; i++) await scim.get(`/Users/${randomUUID()}`);
    await app.http.get('/no/such/thing');
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(
      metric(res.text, 'keyscope_http_requests_total', 'method="GET",route="/scim/v2/Users/:id",status="404"'),
    ).toBe(3);
    expect(
      metric(res.text, 'keyscope_http_request_duration_seconds_count', 'method="GET",route="/scim/v2/Users/:id"'),
    ).toBe(3);
    expect(metric(res.text, 'keyscope_http_requests_total', 'method="GET",route="other",status="404"')).toBe(1);
    expect(res.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('keeps counting every request when more distinct paths arrive than it keeps series for', async () => {
    const metrics = new Metrics(
      () => ({ hits: 0, misses: 0, size: 0 }),
      () => 0,
    );
    for (let i = 0; i < 5000; i++) {
      const req = { method: 'GET', originalUrl: `/nothing/${i}?q=${i}` } as Request;
      metrics.observe(req, { statusCode: 404 } as Response, 0.001);
      metrics.observe(
        { method: 'POST', originalUrl: '/api/v1/authorize' } as Request,
        { statusCode: 200 } as Response,
        0.001,
      );
    }
    const { text } = await metrics.render();
    expect(metric(text, 'keyscope_http_requests_total', 'method="GET",route="other",status="404"')).toBe(5000);
    expect(metric(text, 'keyscope_http_requests_total', 'method="POST",route="/api/v1/authorize",status="200"')).toBe(
      5000,
    );
    expect(metric(text, 'keyscope_http_request_duration_seconds_count', 'method="GET",route="other"')).toBe(5000);
  });

  it('counts refused authentications by reason', async () => {
    await app.http.get('/api/v1/me').set('Authorization', 'Bearer nope');
    const { token, id } = await createKey(app, { name: 'to revoke' });
    await app.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`);
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const text = (await scrape()).text;
    expect(metric(text, 'keyscope_auth_failures_total', 'reason="invalid_token"')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'keyscope_auth_failures_total', 'reason="key_revoked"')).toBe(1);
  });

  it('reports the principal cache hit ratio and bcrypt comparisons', async () => {
    const { token } = await createKey(app, { name: 'cached' });
    const before = metric((await scrape()).text, 'keyscope_principal_cache_hits_total');
    for (let i = 0; i < 5; i++) await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const text = (await scrape()).text;
    expect(metric(text, 'keyscope_principal_cache_hits_total') - before).toBeGreaterThanOrEqual(4);
    expect(metric(text, 'keyscope_principal_cache_hit_ratio')).toBeGreaterThan(0);
    expect(metric(text, 'keyscope_bcrypt_comparisons_total')).toBe(app.keyscope.authenticator.bcryptComparisons);
  });

  it('observes the pickup lag of every change this process hears about', async () => {
    const before = metric((await scrape()).text, 'keyscope_pickup_lag_seconds_count');
    const group = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ displayName: 'Lagging' });
    await app.http
      .put(`/api/v1/groups/${group.body.id}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ rules: [{ permission: 'keys:read' }] });
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 10));
      after = metric((await scrape()).text, 'keyscope_pickup_lag_seconds_count');
    }
    expect(after).toBeGreaterThan(before);
  });
});

describe('GET /metrics needs metrics:read on the public listener', () => {
  const localGroup = async (name: string, rules: Record<string, unknown>[], token = app.adminToken) => {
    const res = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${token}`)
      .send({ displayName: name, rules });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const scrapeWith = (token: string) => app.http.get('/metrics').set('Authorization', `Bearer ${token}`);

  it('401 without a key or with a bad one, as a problem with WWW-Authenticate', async () => {
    const none = await app.http.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="keyscope"/);
    expect(none.text).not.toMatch(/keyscope_http_requests_total/);
    const bad = await scrapeWith('ksk_not_a_key');
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('invalid_token');
  });

  // The metrics add up every organization: a platform permission, which no wildcard grants.
  it('403 for every role, admin and viewer included, and for another organization’s admin', async () => {
    const keys = [];
    for (const role of ['admin', 'viewer', 'key-manager', 'developer']) {
      keys.push(await createKey(app, { name: role, groupId: await localGroup(`Role ${role}`, [{ role }]) }));
    }
    keys.push(await createKey(app, { name: 'star', groupId: await localGroup('Star', [{ permission: '*' }]) }));
    const tenant = await app.http
      .post('/api/v1/organizations')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ name: 'metrics-tenant' });
    expect(tenant.status).toBe(201);
    keys.push({ token: tenant.body.token as string });
    for (const { token } of keys) {
      const res = await scrapeWith(token);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/metrics:read/);
      expect(res.text).not.toMatch(/keyscope_http_requests_total/);
    }
  });

  it('200 for the bootstrap admin key, and for a key on a group it gave metrics:read', async () => {
    expect((await scrapeWith(app.adminToken)).status).toBe(200);
    const monitoring = await localGroup('Monitoring', [{ permission: 'metrics:read' }]);
    const prometheus = await createKey(app, { name: 'prometheus', groupId: monitoring });
    const res = await scrapeWith(prometheus.token);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^keyscope_http_requests_total\{/m);
    // That key reads metrics and nothing else.
    expect((await app.http.get('/api/v1/keys').set('Authorization', `Bearer ${prometheus.token}`)).status).toBe(403);
  });

  it('is granted only by a holder: an organization admin without it cannot give it to a group', async () => {
    const admins = await localGroup('Admins without metrics', [{ role: 'admin' }]);
    const admin = await createKey(app, { name: 'org admin', groupId: admins });
    const res = await app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ displayName: 'Self-made monitoring', rules: [{ permission: 'metrics:read' }] });
    expect(res.status).toBe(403);
  });

  it('is in the permission catalogue, with a description', async () => {
    const res = await app.http.get('/api/v1/permissions').set('Authorization', `Bearer ${app.adminToken}`);
    expect(res.status).toBe(200);
    expect(res.body.permissions).toContainEqual({
      name: 'metrics:read',
      description: expect.stringMatching(/whole deployment/),
      builtin: true,
    });
  });
});
