import { randomUUID } from 'node:crypto';
import { createKey, scimClient, startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

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
    const res = await app.http.get('/metrics');
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

  it('counts refused authentications by reason', async () => {
    await app.http.get('/api/v1/me').set('Authorization', 'Bearer nope');
    const { token, id } = await createKey(app, { name: 'to revoke' });
    await app.http.delete(`/api/v1/keys/${id}`).set('Authorization', `Bearer ${app.adminToken}`);
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const text = (await app.http.get('/metrics')).text;
    expect(metric(text, 'keyscope_auth_failures_total', 'reason="invalid_token"')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'keyscope_auth_failures_total', 'reason="key_revoked"')).toBe(1);
  });

  it('reports the principal cache hit ratio and bcrypt comparisons', async () => {
    const { token } = await createKey(app, { name: 'cached' });
    const before = metric((await app.http.get('/metrics')).text, 'keyscope_principal_cache_hits_total');
    for (let i = 0; i < 5; i++) await app.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const text = (await app.http.get('/metrics')).text;
    expect(metric(text, 'keyscope_principal_cache_hits_total') - before).toBeGreaterThanOrEqual(4);
    expect(metric(text, 'keyscope_principal_cache_hit_ratio')).toBeGreaterThan(0);
    expect(metric(text, 'keyscope_bcrypt_comparisons_total')).toBe(app.keyscope.authenticator.bcryptComparisons);
  });

  it('observes the pickup lag of every change this process hears about', async () => {
    const before = metric((await app.http.get('/metrics')).text, 'keyscope_pickup_lag_seconds_count');
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
      after = metric((await app.http.get('/metrics')).text, 'keyscope_pickup_lag_seconds_count');
    }
    expect(after).toBeGreaterThan(before);
  });
});
