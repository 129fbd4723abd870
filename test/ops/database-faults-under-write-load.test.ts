import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onPostgres } from '../support/test-db.js';
import { ADMIN_KEY, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * A database fault never takes a process down (DESIGN §9, issue 9): with 8 parallel writers on two
 * real keyscope processes, PostgreSQL's backends are terminated again and again, then the server is
 * killed with SIGKILL and started again, then restarted with `pg_ctl restart -m fast`. Meanwhile
 * every answer is 2xx or 503 (never a 500, never a dropped connection), afterwards both processes
 * serve again without a restart, and every write that was acknowledged (2xx) is there.
 * It owns a throwaway PostgreSQL server (its own data directory and port) so the faults disturb no
 * other test file; that needs Debian's PostgreSQL binaries and root (to run them as the postgres
 * user), which the PostgreSQL pass of .ci/run has. On PGlite there is no server to break: skipped.
 */
const canRun = onPostgres() && process.getuid?.() === 0 && existsSync('/usr/lib/postgresql');
const describeIf = canRun ? describe : describe.skip;

const WRITERS = 8;
const REQUEST_TIMEOUT_MS = 15_000;

let dataDir: string;
let bin: string;
let adminUrl: string;
let keyscopeUrl: string;
let admin: pg.Client | undefined;
let scimToken: string;
let groupId: string;
const servers: ServerProcess[] = [];

// Asynchronous, so the writers keep sending while the database stops and starts.
const run = promisify(execFile);

async function pgCtl(args: string): Promise<void> {
  await run('su', ['postgres', '-c', `${bin}/pg_ctl -D '${dataDir}' ${args}`]);
}

async function startPostgres(port: number): Promise<string> {
  const { stdout } = await run(path.resolve('.ci/start-postgres.sh'), [dataDir, String(port)]);
  return stdout.trim().split('\n').pop()!;
}

/** SIGKILL to the postmaster and every process it started, as a crash or an OOM kill would; returns their ids. */
function killPostgres(): number[] {
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of [postmaster, ...children]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return [postmaster, ...children];
}

async function waitUntil(check: () => Promise<boolean> | boolean, withinMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${withinMs} ms`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An answer, or status 0 and the error when none came (a reset connection, a timeout). */
interface Outcome {
  status: number;
  body: string;
  error?: string;
}

async function send(
  server: ServerProcess,
  method: string,
  route: string,
  token: string,
  body?: unknown,
): Promise<Outcome> {
  try {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      body: '',
      error: `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
    };
  }
}

const ok = (o: Outcome) => o.status >= 200 && o.status < 300;

/**
 * Eight writers in a loop: SCIM user creates, users created and added to a group by a member PATCH,
 * and keys created and revoked, spread over the processes. Records what each answer acknowledged
 * and every answer that is neither 2xx nor 503.
 */
class WriteLoad {
  readonly unexpected: string[] = [];
  readonly counts = new Map<string, number>();
  readonly users: { id: string; userName: string }[] = [];
  readonly members: string[] = [];
  readonly keys: { id: string; token: string; revoked: boolean }[] = [];
  private readonly lastSuccess: number[] = new Array<number>(WRITERS).fill(0);
  private running = true;
  private readonly loops: Promise<void>[];
  private serial = 0;

  constructor(private readonly label: string) {
    this.loops = Array.from({ length: WRITERS }, (_, i) => this.writer(i));
  }

  private async call(writer: number, method: string, route: string, token: string, body?: unknown): Promise<Outcome> {
    const outcome = await send(servers[writer % servers.length]!, method, route, token, body);
    const key = outcome.error ? 'no answer' : String(outcome.status);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (ok(outcome)) this.lastSuccess[writer] = Date.now();
    else if (outcome.status !== 503)
      this.unexpected.push(
        `${method} ${route} → ${outcome.error ?? `${outcome.status} ${outcome.body.slice(0, 300)}`}`,
      );
    return outcome;
  }

  private async createUser(writer: number): Promise<string | undefined> {
    const userName = `${this.label}-${writer}-${this.serial++}@example.com`;
    const created = await this.call(writer, 'POST', '/scim/v2/Users', scimToken, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Load', familyName: String(writer) },
    });
    if (!ok(created)) return undefined;
    const id = (JSON.parse(created.body) as { id: string }).id;
    this.users.push({ id, userName });
    return id;
  }

  private async writer(i: number): Promise<void> {
    while (this.running) {
      let outcome: Outcome | undefined;
      if (i % 3 === 0) {
        await this.createUser(i);
      } else if (i % 3 === 1) {
        const userId = await this.createUser(i);
        if (userId) {
          outcome = await this.call(i, 'PATCH', `/scim/v2/Groups/${groupId}`, scimToken, {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
          });
          if (ok(outcome)) this.members.push(userId);
        }
      } else {
        outcome = await this.call(i, 'POST', '/api/v1/keys', ADMIN_KEY, {
          name: `${this.label} ${i} ${this.serial++}`,
          expiration: '7d',
        });
        if (ok(outcome)) {
          const issued = JSON.parse(outcome.body) as { token: string; key: { id: string } };
          const key = { id: issued.key.id, token: issued.token, revoked: false };
          this.keys.push(key);
          outcome = await this.call(i, 'DELETE', `/api/v1/keys/${key.id}`, ADMIN_KEY);
          if (ok(outcome)) key.revoked = true;
        }
      }
      // While the database is away, answers come at once: do not spin on two cores.
      if (outcome && !ok(outcome)) await sleep(50);
    }
  }

  /** Resolves once every writer has had a write acknowledged after `since`. */
  async allSucceededSince(since: number, withinMs: number): Promise<void> {
    await waitUntil(
      () => this.lastSuccess.every((t) => t > since),
      withinMs,
      `every writer succeeds again (${this.summary()})`,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  summary(): string {
    return [...this.counts].map(([k, v]) => `${k}: ${v}`).join(', ');
  }
}

const readyz = async (s: ServerProcess) => (await send(s, 'GET', '/readyz', '')).status;

/** What every acknowledged write must look like afterwards, read back through the API. */
async function expectAcknowledgedWritesKept(load: WriteLoad): Promise<void> {
  const [a, b] = servers as [ServerProcess, ServerProcess];
  for (const user of load.users) {
    const read = await send(a, 'GET', `/scim/v2/Users/${user.id}`, scimToken);
    expect(read.status).toBe(200);
    expect((JSON.parse(read.body) as { userName: string }).userName).toBe(user.userName);
  }
  const group = await send(a, 'GET', `/scim/v2/Groups/${groupId}`, scimToken);
  expect(group.status).toBe(200);
  const members = new Set(
    ((JSON.parse(group.body) as { members?: { value: string }[] }).members ?? []).map((m) => m.value),
  );
  expect(load.members.filter((id) => !members.has(id))).toEqual([]);
  for (const key of load.keys) {
    const read = await send(b, 'GET', `/api/v1/keys/${key.id}`, ADMIN_KEY);
    expect(read.status).toBe(200);
    if (!key.revoked) continue;
    expect((JSON.parse(read.body) as { status: string }).status).toBe('revoked');
    for (const s of servers) expect(await send(s, 'GET', '/api/v1/me', key.token)).toMatchObject({ status: 401 });
  }
}

const exited = (s: ServerProcess) => s.child.exitCode !== null || s.child.signalCode !== null;

/** Two processes on keyscope's database; one that a previous test saw exit is replaced, so each test stands alone. */
async function startProcesses(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    if (servers[i] && !exited(servers[i]!)) continue;
    servers[i] = await startServerProcess({ DATABASE_URL: keyscopeUrl, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  }
}

function expectProcessesAlive(): void {
  for (const s of servers) {
    if (exited(s)) {
      throw new Error(`keyscope exited (${s.child.exitCode ?? s.child.signalCode}):\n${s.output().slice(-4000)}`);
    }
  }
}

async function expectRecovered(load: WriteLoad, faultEnded: number): Promise<void> {
  try {
    await load.allSucceededSince(faultEnded, 20_000);
    for (const s of servers) await waitUntil(async () => (await readyz(s)) === 200, 10_000, 'readyz answers 200');
  } catch (error) {
    const logs = servers.map(
      (s, i) =>
        `process ${i}:\n${s
          .output()
          .split('\n')
          .filter((l) => !l.includes('"msg":"request"'))
          .slice(-15)
          .join('\n')}`,
    );
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
  }
}

beforeAll(async () => {
  if (!canRun) return;
  dataDir = mkdtempSync(path.join(tmpdir(), 'keyscope-faults-pg-'));
  rmSync(dataDir, { recursive: true });
  bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1']).toString().trim();
  adminUrl = await startPostgres(await freePort());
  admin = new pg.Client({ connectionString: adminUrl });
  // Should the server go away under it, the next query fails the test; the event must not end jest.
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query('CREATE DATABASE keyscope');
  keyscopeUrl = adminUrl.replace(/\/postgres$/, '/keyscope');
  // One after the other: the first migrates and bootstraps the empty database.
  await startProcesses();
  const scimKey = await send(servers[0]!, 'POST', '/api/v1/keys', ADMIN_KEY, {
    name: 'load: SCIM',
    scim: true,
    expiration: '7d',
  });
  scimToken = (JSON.parse(scimKey.body) as { token: string }).token;
  const group = await send(servers[0]!, 'POST', '/scim/v2/Groups', scimToken, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'load',
  });
  groupId = (JSON.parse(group.body) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  if (!canRun) return;
  await Promise.all(servers.map((s) => s.stop()));
  await admin?.end().catch(() => undefined);
  await pgCtl('stop -m immediate').catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describeIf('database faults under write load (PostgreSQL)', () => {
  it('survives every backend being terminated again and again while writes are in flight', async () => {
    await startProcesses();
    const load = new WriteLoad('terminate');
    try {
      await waitUntil(() => load.users.length > 5, 10_000, 'the load gets going');
      let terminated = 0;
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        // The admin's own session is in database postgres, never among those it terminates.
        const r = await admin!.query<{ n: number }>(
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = 'keyscope'",
        );
        terminated += r.rows[0]!.n;
        expectProcessesAlive();
        await sleep(150);
      }
      expect(terminated).toBeGreaterThan(0);
      const faultEnded = Date.now();
      await expectRecovered(load, faultEnded);
    } finally {
      await load.stop();
    }
    expectProcessesAlive();
    expect(load.unexpected).toEqual([]);
    await expectAcknowledgedWritesKept(load);
    expectProcessesAlive();
  }, 60_000);

  it('survives PostgreSQL killed with SIGKILL, and a fast restart, while writes are in flight', async () => {
    await startProcesses();
    const load = new WriteLoad('restart');
    const port = Number(new URL(adminUrl).port);
    try {
      await waitUntil(() => load.users.length > 5, 10_000, 'the load gets going');
      await admin!.end();
      admin = undefined;
      const killed = killPostgres();
      // Until its parent (init) reaps the killed postmaster, pg_ctl and a new postmaster take the
      // lock file's process id for a running server (here init reaps after about 1.5 s).
      await Promise.all([
        sleep(1000),
        waitUntil(
          () => killed.every((pid) => !existsSync(`/proc/${pid}`)),
          20_000,
          'the killed PostgreSQL processes are reaped',
        ),
      ]);
      expectProcessesAlive();
      await startPostgres(port);
      let faultEnded = Date.now();
      await expectRecovered(load, faultEnded);

      await pgCtl(`restart -m fast -w -l '${dataDir}/server.log'`);
      faultEnded = Date.now();
      expectProcessesAlive();
      await expectRecovered(load, faultEnded);
    } finally {
      await load.stop();
    }
    expectProcessesAlive();
    expect(load.unexpected).toEqual([]);
    await expectAcknowledgedWritesKept(load);
    expectProcessesAlive();
  }, 60_000);
});
