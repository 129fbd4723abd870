import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onPostgres } from '../support/test-db.js';
import { ADMIN_KEY, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Stops and restarts a PostgreSQL server under running keyscope processes (DESIGN §7, issue 4):
 * /readyz fails while the database is unreachable and recovers without a restart, requests answer
 * 503 meanwhile, and cache coherence resumes (the notification listener reconnects).
 * Needs Debian's PostgreSQL binaries and root (to run them as the postgres user): the PostgreSQL
 * pass of .ci/run has both.
 */
const canRun = onPostgres() && process.getuid?.() === 0 && existsSync('/usr/lib/postgresql');
const describeIf = canRun ? describe : describe.skip;

let dataDir: string;
let port: number;
let bin: string;
const servers: ServerProcess[] = [];

function pgCtl(args: string): void {
  execFileSync('su', ['postgres', '-c', `${bin}/pg_ctl -D '${dataDir}' ${args}`], { stdio: 'ignore' });
}

beforeAll(() => {
  if (!canRun) return;
  dataDir = mkdtempSync(path.join(tmpdir(), 'keyscope-readyz-pg-'));
  rmSync(dataDir, { recursive: true });
  bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1']).toString().trim();
}, 60_000);

afterAll(async () => {
  if (!canRun) return;
  await Promise.all(servers.map((s) => s.stop()));
  try {
    pgCtl('stop -m immediate');
  } catch {
    // already stopped
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${withinMs} ms`);
}

const cacheHits = (metrics: string) => Number(/^keyscope_principal_cache_hits_total (\d+)/m.exec(metrics)?.[1] ?? 0);
const ready = async (s: ServerProcess) => (await fetch(`${s.url}/readyz`)).status;
const me = async (s: ServerProcess, token: string) =>
  (await fetch(`${s.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

describeIf('a PostgreSQL restart under running processes', () => {
  it('fails readiness while the database is down, recovers without a restart, and keeps caches coherent', async () => {
    port = await freePort();
    const url = execFileSync(path.resolve('.ci/start-postgres.sh'), [dataDir, String(port)])
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    const a = await startServerProcess({ DATABASE_URL: url, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    const b = await startServerProcess({ DATABASE_URL: url, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    servers.push(a, b);
    expect(await ready(a)).toBe(200);

    pgCtl('stop -m fast');
    await until(async () => (await ready(a)) === 503, 5000, 'readyz fails');
    const down = await fetch(`${a.url}/api/v1/keys`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { code: string }).code).toBe('database_unavailable');

    execFileSync(path.resolve('.ci/start-postgres.sh'), [dataDir, String(port)]);
    await until(async () => (await ready(a)) === 200 && (await ready(b)) === 200, 15_000, 'readyz recovers');

    // Both processes verify and cache a key, then a revoke on one must reach the other: the
    // listener that the restart cut must be listening again.
    const created = (await (
      await fetch(`${a.url}/api/v1/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'after restart' }),
      })
    ).json()) as { token: string; key: { id: string } };
    await until(
      async () => (await me(a, created.token)) === 200 && (await me(b, created.token)) === 200,
      10_000,
      'both processes accept the key',
    );
    // B caches again, which it does only once its listener is back (until then it reads every key anew),
    // so the refusal below can come only from a notification.
    // Each scrape authenticates with the admin key: a cached key counts one hit per scrape, so a
    // lookup of the new key that hit the cache shows as two.
    const scrape = async () =>
      cacheHits(await (await fetch(`${b.url}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).text());
    await until(
      async () => {
        const before = await scrape();
        await me(b, created.token);
        return (await scrape()) - before >= 2;
      },
      10_000,
      'the other process caches again',
    );
    await fetch(`${a.url}/api/v1/keys/${created.key.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    });
    await until(async () => (await me(b, created.token)) === 401, 2000, 'the other process refuses the revoked key');
  }, 90_000);
});
