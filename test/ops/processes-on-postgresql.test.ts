import { onPostgres, openTestDatabase, type TestDatabase } from '../support/test-db.js';
import { ADMIN_KEY, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Several processes on one PostgreSQL (DESIGN §2, §5): two separate servers, and WORKERS=2.
 * Needs a PostgreSQL server, so it runs in the PostgreSQL pass of `.ci/run` (DATABASE_URL set).
 */
const describeOnPostgres = onPostgres() ? describe : describe.skip;

let database: TestDatabase;
const started: ServerProcess[] = [];

beforeAll(async () => {
  if (!onPostgres()) return;
  database = await openTestDatabase();
  // The template is migrated but not bootstrapped: the first server creates the admin key from this value.
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  if (onPostgres()) await database.drop();
});

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ DATABASE_URL: database.url!, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, ...env });
  started.push(server);
  return server;
}

const call = (server: ServerProcess, path: string, token: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });

describeOnPostgres('processes sharing one PostgreSQL', () => {
  it('a key revoked through one process is refused by another within 1 second', async () => {
    const a = await start();
    const b = await start();
    const created = (await (
      await call(a, '/api/v1/keys', ADMIN_KEY, {
        method: 'POST',
        body: JSON.stringify({ name: 'shared by two processes' }),
      })
    ).json()) as { token: string; key: { id: string } };
    expect((await call(a, '/api/v1/me', created.token)).status).toBe(200);
    expect((await call(b, '/api/v1/me', created.token)).status).toBe(200);
    expect((await call(a, `/api/v1/keys/${created.key.id}`, ADMIN_KEY, { method: 'DELETE' })).status).toBe(200);
    const revokedAt = Date.now();
    let status = 200;
    while (Date.now() - revokedAt < 1000 && status === 200)
      status = (await call(b, '/api/v1/me', created.token)).status;
    expect(status).toBe(401);
  });

  it('WORKERS=2 serves on one port from two processes, and /metrics adds both up', async () => {
    const server = await start({ WORKERS: '2' });
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      // A new connection each time, so the cluster spreads them over the workers.
      const res = await fetch(`${server.url}/api/v1/me`, {
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, Connection: 'close' },
      });
      expect(res.status).toBe(200);
    }
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Connection: 'close' } })).text();
    const served = [
      ...metrics.matchAll(/^keyscope_http_requests_total\{method="GET",route="\/api\/v1\/me",status="200"\} (\d+)/gm),
    ].map((m) => Number(m[1]));
    expect(served.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40);
    // start() returns when one worker answers; under load the other's "listening" line can come later.
    for (const deadline = Date.now() + 10_000; pids.size < 2 && Date.now() < deadline; ) {
      for (const m of server.output().matchAll(/"pid":(\d+).*keyscope listening/g)) pids.add(Number(m[1]));
      if (pids.size < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(pids.size).toBe(2);
    expect(await server.stop()).toBe(0);
  });

  it('/metrics answers from the serving workers while a replaced worker is still starting', async () => {
    const server = await start({ WORKERS: '2' });
    const listening = () => [...server.output().matchAll(/"pid":(\d+).*keyscope listening/g)].map((m) => Number(m[1]));
    while (listening().length < 2) await new Promise((r) => setTimeout(r, 50));
    const [victim] = listening();
    process.kill(victim!, 'SIGKILL');
    while (!server.output().includes('worker died')) await new Promise((r) => setTimeout(r, 20));
    // The primary forks the replacement 1 s later; it loads for a while before it listens.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await fetch(`${server.url}/metrics`, { headers: { Connection: 'close' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^keyscope_process_cpu_user_seconds_total \d/m);
    expect(await server.stop()).toBe(0);
  });
});
