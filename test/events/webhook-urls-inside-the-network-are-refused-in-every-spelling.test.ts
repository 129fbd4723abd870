import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { isPrivateAddress, urlProblem } from '../../src/events/targets.js';
import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';

/**
 * docs/security.md §13, tried as an attacker would: every spelling of an address inside keyscope's
 * network is refused when saved (400 naming the url), without WEBHOOK_ALLOW_PRIVATE_TARGETS.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ background: false });
});
afterAll(() => app.close());

const save = (url: string) =>
  app.http
    .post('/api/v1/webhooks')
    .set(bearer(app.adminToken))
    .send({ url, events: ['key.created'] });

test.each([
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://127.1/',
  'http://127.0.0.1./',
  'http://0/',
  'http://0.0.0.0:80/',
  'http://[::]/',
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::127.0.0.1]/',
  'http://[::a9fe:a9fe]/',
  'http://[fe80::1]/',
  'http://[fc00::1]/',
  'http://[fd12:3456::1]:8080/',
  'http://100.64.0.1/',
  'http://100.127.255.254/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[64:ff9b:1::a9fe:a9fe]/',
  'http://localhost./',
  'http://LOCALHOST:3000/',
  'https://evil@127.0.0.1/',
  'http://127.0.0.1%2f@example.com/',
  'http://example.com@127.0.0.1/',
  'http://127.0.0.1:80@example.com/',
  'HTTP://127.0.0.1/',
  '  http://127.0.0.1/  ',
  'http://①②⑦.0.0.1/',
  'http://127。0。0。1/',
])('%s is refused with 400', async (url) => {
  const res = await save(url);
  expect([url, res.status]).toEqual([url, 400]);
  expect(res.body.errors?.[0]?.field).toBe('url');
});

test.each([
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'javascript:alert(1)',
  'data:text/plain,hi',
  'ws://example.com/',
  '//example.com/hooks',
  'https://example.com/#frag',
])('%s is refused with 400 (not an http(s) target)', async (url) => {
  const res = await save(url);
  expect([url, res.status]).toEqual([url, 400]);
});

test('the IPv4-compatible IPv6 forms (::a.b.c.d, written in hex by the URL parser) are judged as the IPv4 they carry', () => {
  expect(isPrivateAddress('::7f00:1')).toBe(true);
  expect(isPrivateAddress('::a9fe:a9fe')).toBe(true);
  expect(isPrivateAddress('::a00:1')).toBe(true);
  expect(urlProblem('http://[::127.0.0.1]/')).toBeNull();
  expect(new URL('http://[::127.0.0.1]/').hostname).toBe('[::7f00:1]');
});

test('stored in any spelling of an inside address, a target is refused at delivery and never reached', async () => {
  const delivering = await startTestApp({ env: { WEBHOOK_RETRY_SCHEDULE: '60000' } });
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(String(req.url));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as { port: number };
  try {
    const urls = [
      `http://2130706433:${port}/decimal`,
      `http://0x7f.1:${port}/hex`,
      `http://[::ffff:7f00:1]:${port}/mapped`,
      `http://[::127.0.0.1]:${port}/compatible`,
      `http://[::1]:${port}/loopback6`,
      `http://localhost:${port}/name`,
    ];
    for (const url of urls)
      await delivering.db.query(
        `INSERT INTO webhooks (id, org_id, url, events, secret, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, '{key.created}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'test', now(), now())`,
        [randomUUID(), delivering.orgId, url],
      );
    await createKey(delivering, { name: 'not inside', expiration: '30d' });
    await eventually(async () => {
      const { rows } = await delivering.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts');
      return rows[0]!.n === urls.length;
    }, 8000);
    const { rows } = await delivering.db.query<{ url: string; error: string | null }>(
      `SELECT w.url, a.error FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
         JOIN webhooks w ON w.id = d.webhook_id ORDER BY w.url`,
    );
    for (const row of rows) expect([row.url, row.error]).toEqual([row.url, expect.stringMatching(/private/)]);
    expect(hits).toEqual([]);
  } finally {
    await delivering.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
