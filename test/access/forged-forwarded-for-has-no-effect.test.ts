import { ConfigError, loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 9, defect 7: with TRUST_PROXY=true Express takes the leftmost X-Forwarded-For entry, which
 * the client writes itself behind an appending load balancer. A client then chose its own address:
 * 40 junk tokens paid 40 bcrypt comparisons with no 429, and it could get a victim's address limited.
 * keyscope refuses `true`; a hop count or the proxies' addresses take the entry the proxy appended.
 */

it('refuses TRUST_PROXY=true at start, saying what to give instead', () => {
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true.*hop count/);
});

// The test client connects from 127.0.0.1, which plays the load balancer: it appends the address it
// saw to whatever X-Forwarded-For the client sent, as nginx's $proxy_add_x_forwarded_for does.
describe.each([
  ['a hop count', '1'],
  ['the proxy’s addresses', 'loopback'],
])('with TRUST_PROXY as %s', (_label, trustProxy) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: {
        TRUST_PROXY: trustProxy,
        AUTH_FAILURE_LIMIT: '5',
        BOOTSTRAP_ADMIN_KEY: 'bootstrap-admin-key-forged-forwarded-for-0123456789',
      },
    });
  });
  afterAll(() => app.close());

  const viaProxy = (token: string, clientSent: string, proxySaw: string) =>
    app.http
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', `${clientSent}, ${proxySaw}`);

  it('a forged leftmost entry does not escape the failure limit: the 6th junk token gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await viaProxy(`junk-token-value-${i}`, `203.0.113.${i}`, '198.51.100.7')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it('a forged leftmost entry cannot get a victim’s address limited', async () => {
    for (let i = 0; i < 8; i++) await viaProxy(`junk-token-value-${i}`, '192.0.2.55', '198.51.100.66');
    const victim = await viaProxy(app.adminToken, '10.1.1.1', '192.0.2.55');
    expect(victim.status).toBe(200);
  });

  it('a forwarded entry that is not an address (a token, say) is never logged', async () => {
    const token = app.adminToken;
    const res = await app.http
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', `${token}, ${token}`);
    expect(res.status).toBeLessThan(500);
    expect(app.logs()).not.toContain(token);
  });

  it('the address the proxy appended is the one recorded for the request', async () => {
    const res = await app.http
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${app.adminToken}`)
      .set('X-Forwarded-For', '6.6.6.6, 198.51.100.99');
    expect(res.status).toBe(200);
    expect(app.logs()).toMatch(/198\.51\.100\.99/);
  });
});

describe('without TRUST_PROXY', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('the address recorded is the connection’s, whatever X-Forwarded-For says', async () => {
    for (const path of ['/api/v1/me', '/api/v1/keys']) {
      const res = await app.http
        .get(path)
        .set('Authorization', `Bearer ${app.adminToken}`)
        .set('X-Forwarded-For', '6.6.6.6, 198.51.100.99');
      expect(res.status).toBe(200);
    }
    const lines = app
      .logs()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line).client).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(app.logs()).not.toMatch(/6\.6\.6\.6|198\.51\.100\.99/);
  });
});
