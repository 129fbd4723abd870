// npm run bench: measures keyscope against an Express + helmet hello-world on this machine, one
// server process at a time, 50 connections, and prints a table. Figures, never assertions.
//   BENCH_DURATION  seconds per measurement (default 10)
//   BENCH_USERS     users (and group members) to seed (default 100000)
//   DATABASE_URL    also measure on this PostgreSQL server (a scratch database is created and dropped)
//   BENCH_ONLY      auth: only the cost of authenticating a cached key;
//                   groups: only member PATCHes beside a large filtered PATCH on another group
//                   tokens: only token exchange and /authorize with a JWT beside the same with a key
//                   hot: only /authorize and /me with a cached key (and /authorize with a key whose grant
//                        includes conditional rules, and one whose grant comes from the identity provider's
//                        role and entitlement assignments) beside the hello-world answering them
//                   search: only GET /scim/v2/Users?filter= and POST /scim/v2/Users/.search with a filter
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createKeyscope } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { PgDb } from '../src/db/pg-db.js';
import { PgliteDb } from '../src/db/pglite-db.js';
import { createLogger } from '../src/http/logger.js';
import { formatTable } from '../src/cli/output.js';
import { MAX_FILTERED_MEMBER_OPERATIONS } from '../src/scim/groups/group-patch.js';
import { seed } from './seed.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const EXTRA_USERS = 20_000;
// The pen-test's case: 1,000 `remove members[display co "…"]` operations on a 20,000-member group.
const FILTERED_MEMBERS = Math.min(20_000, USERS);
const FILTERED_OPS: number = 1000;
// The most filtered member operations one PATCH may carry (more are 400 tooMany).
const FILTERED_OPS_ALLOWED: number = MAX_FILTERED_MEMBER_OPERATIONS;
const CONNECTIONS = 50;
const ADMIN_KEY = `bench-admin-${randomBytes(24).toString('hex')}`;
const logger = createLogger('silent');

interface Row {
  store: string;
  what: string;
  reqPerSec?: number;
  p50?: number;
  p99?: number;
  vsHello?: string;
  target?: string;
  note?: string;
}
const rows: Row[] = [];

async function load(url: string, options: Partial<autocannon.Options> = {}): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: DURATION }),
    ...options,
  });
  if (result.non2xx || result.errors)
    process.stderr.write(`  ! ${url}: ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  return result;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts dist/main.js on a free port and waits until /healthz answers. */
async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

function startProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const port = /PORT (\d+)/.exec(out)?.[1] ?? /"port":(\d+)/.exec(out)?.[1];
      if (port) {
        child.stdout!.off('data', onData);
        resolve({ child, port: Number(port), output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`process exited (${code}): ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const tsx = (file: string) => ['--import', 'tsx', path.resolve('bench', file)];

/**
 * The baseline stays up for the whole run, and every figure compared with it is measured in
 * alternation with it (target, baseline, target, baseline; half the duration each) and averaged:
 * this machine drifts by tens of percent from minute to minute, the ratio of adjacent runs does not.
 */
interface Baseline {
  url: string;
  runs: autocannon.Result[];
  pid: number | undefined;
}

async function startBaseline(): Promise<{ baseline: Baseline; child: ChildProcess }> {
  const { child, port } = await startProcess(tsx('hello-server.ts'), {});
  return { baseline: { url: `http://127.0.0.1:${port}/`, runs: [], pid: child.pid }, child };
}

async function versusHello(
  baseline: Baseline,
  url: string,
  options: Partial<autocannon.Options> = {},
): Promise<{ result: autocannon.Result; ratio: number }> {
  const half = Math.max(1, Math.round(DURATION / 2));
  const targets: autocannon.Result[] = [];
  const hellos: autocannon.Result[] = [];
  for (let i = 0; i < 2; i++) {
    targets.push(await load(url, { ...options, duration: half }));
    hellos.push(await load(baseline.url, { duration: half }));
  }
  baseline.runs.push(...hellos);
  const mean = (list: autocannon.Result[]) => list.reduce((a, r) => a + r.requests.average, 0) / list.length;
  const result = { ...targets[0]!, requests: { ...targets[0]!.requests, average: mean(targets) } } as autocannon.Result;
  return { result, ratio: mean(targets) / mean(hellos) };
}

/** Creates, migrates, bootstraps and seeds the database, and returns what the server needs to reach it. */
interface Prepared {
  env: Record<string, string>;
  ids: { groupId: string; userId: string; filteredGroupId: string; extraUserIds: string[] };
  cleanup: () => Promise<void>;
}

async function prepare(kind: 'pglite' | 'postgres', options: { seed: boolean } = { seed: true }): Promise<Prepared> {
  let env: Record<string, string>;
  let db: Db;
  let cleanup: () => Promise<void>;
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'keyscope-bench-'));
    env = { DATA_DIR: dir, DATABASE_URL: '' };
    db = await PgliteDb.open({ dataDir: dir });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const base = process.env.DATABASE_URL!;
    const name = `keyscope_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    db = new PgDb(url.toString(), logger);
    cleanup = async () => {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  }
  await migrate(db);
  const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const keyscope = await createKeyscope({ db, config, logger });
  const boot = await keyscope.orgs.bootstrap(ADMIN_KEY);
  await keyscope.stop();
  if (options.seed)
    process.stderr.write(
      `  seeding ${USERS} users, a group of ${USERS} members and one of ${FILTERED_MEMBERS} on ${kind}...\n`,
    );
  const seeded = options.seed
    ? await seed(db, boot.organization.id, USERS, EXTRA_USERS, FILTERED_MEMBERS)
    : { groupId: '', firstUserId: '', filteredGroupId: '' };
  // Read now: once the server runs, the embedded database is its alone.
  const { rows: extras } = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE substring(user_name from '^user([0-9]+)@')::int > $1 ORDER BY user_name`,
    [USERS],
  );
  await db.close();
  return {
    env: { ...env, BCRYPT_COST: '10', LOG_LEVEL: 'info' },
    ids: {
      groupId: seeded.groupId,
      userId: seeded.firstUserId,
      filteredGroupId: seeded.filteredGroupId,
      extraUserIds: extras.map((x) => x.id),
    },
    cleanup,
  };
}

async function api(
  port: number,
  method: string,
  pathname: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function measureStore(kind: 'pglite' | 'postgres', baseline: Baseline): Promise<void> {
  const store = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const prepared = await prepare(kind);
  const server = await startServer({ ...prepared.env, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const scimKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench scim', scim: true, expiration: 'never' })
    ).json.token as string;
    const scimHeaders = { Authorization: `Bearer ${scimKey}` };
    const pct = (ratio: number) => `${Math.round(ratio * 100)} %`;

    const { result: byId, ratio: byIdRatio } = await versusHello(
      baseline,
      `${base}/scim/v2/Users/${prepared.ids.userId}`,
      { headers: scimHeaders },
    );
    rows.push({
      store,
      what: 'GET /scim/v2/Users/:id',
      reqPerSec: byId.requests.average,
      p50: byId.latency.p50,
      p99: byId.latency.p99,
      vsHello: pct(byIdRatio),
      target: '>= 50 % (PostgreSQL)',
    });

    const filter = encodeURIComponent('userName eq "user54321@example.com"');
    const { result: byFilter, ratio: byFilterRatio } = await versusHello(
      baseline,
      `${base}/scim/v2/Users?filter=${filter}`,
      { headers: scimHeaders },
    );
    rows.push({
      store,
      what: 'GET /scim/v2/Users?filter=userName eq',
      reqPerSec: byFilter.requests.average,
      p50: byFilter.latency.p50,
      p99: byFilter.latency.p99,
      vsHello: pct(byFilterRatio),
      target: '>= 50 % (PostgreSQL)',
    });

    await searchRows(store, baseline, base, scimKey);

    const addOne = memberAdder(base, scimKey, prepared);
    const patchOne = await addOne(1, { amount: 2000 });
    rows.push({
      store,
      what: `PATCH add 1 member to a ${USERS}-member group`,
      reqPerSec: patchOne.requests.average,
      p50: patchOne.latency.p50,
      p99: patchOne.latency.p99,
      target: 'p50 < 10 ms',
      note: '1 connection: latency; each a new member',
    });
    const patchMany = await addOne(10, { amount: 5000 });
    rows.push({
      store,
      what: '  the same, 10 concurrent PATCHes on the group',
      reqPerSec: patchMany.requests.average,
      p50: patchMany.latency.p50,
      p99: patchMany.latency.p99,
      note: 'they serialize on the group row',
    });

    await filteredPatches(store, base, scimKey, prepared, addOne);

    const excluded = await load(`${base}/scim/v2/Groups/${prepared.ids.groupId}?excludedAttributes=members`, {
      headers: scimHeaders,
      connections: 1,
    });
    rows.push({
      store,
      what: 'GET group ?excludedAttributes=members',
      reqPerSec: excluded.requests.average,
      p50: excluded.latency.p50,
      p99: excluded.latency.p99,
      target: '< 5 ms',
      note: '1 connection: latency',
    });

    // The access API: a service key in a group with rules.
    const group = await api(server.port, 'POST', '/api/v1/groups', ADMIN_KEY, {
      displayName: 'Bench services',
      rules: [{ permission: 'keys:read' }],
    });
    const serviceKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench service', groupId: group.json.id })
    ).json.token as string;
    const { result: authorize, ratio: authorizeRatio } = await versusHello(baseline, `${base}/api/v1/authorize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ permission: 'keys:read' }),
    });
    rows.push({
      store,
      what: 'POST /api/v1/authorize',
      reqPerSec: authorize.requests.average,
      p50: authorize.latency.p50,
      p99: authorize.latency.p99,
      vsHello: pct(authorizeRatio),
      target: '>= 50 %',
    });
    await measureTokens(base, serviceKey, baseline, store);

    if (kind === 'postgres') {
      await pickupLag(server.port, prepared.env, store);
      await workers(prepared, scimKey, base, store);
    } else
      rows.push({
        store,
        what: 'pickup lag to a second process',
        note: 'PGlite is one process: n/a (next request on the same process sees it)',
      });
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

/** POST /Users/.search (RFC 7644 §3.4.3): the same query as a GET filter, its parameters in the body. */
async function searchRows(store: string, baseline: Baseline, base: string, scimKey: string): Promise<void> {
  const pct = (ratio: number) => `${Math.round(ratio * 100)} %`;
  const { result, ratio } = await versusHello(baseline, `${base}/scim/v2/Users/.search`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${scimKey}`, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "user5432" and active eq true',
      attributes: ['userName', 'active'],
      startIndex: 1,
      count: 10,
    }),
  });
  if (result.non2xx) throw new Error(`POST /scim/v2/Users/.search: ${result.non2xx} answers were not 2xx`);
  rows.push({
    store,
    what: 'POST /scim/v2/Users/.search, filter sw and eq',
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    vsHello: pct(ratio),
    note: 'attributes=userName,active; count=10',
  });
}

/** BENCH_ONLY=search: the SCIM search rows on a seeded embedded database. */
async function searchOnly(baseline: Baseline): Promise<void> {
  const prepared = await prepare('pglite');
  const server = await startServer({ ...prepared.env, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  try {
    const scimKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench scim', scim: true, expiration: 'never' })
    ).json.token as string;
    await searchRows('PGlite', baseline, `http://127.0.0.1:${server.port}`, scimKey);
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

type MemberAdder = (connections: number, options: { amount?: number; duration?: number }) => Promise<autocannon.Result>;

/** PATCHes that each add one new member to the group of USERS members. */
function memberAdder(base: string, scimKey: string, prepared: Prepared): MemberAdder {
  const extras = prepared.ids.extraUserIds;
  let next = 0;
  return (connections, options) =>
    load(`${base}/scim/v2/Groups/${prepared.ids.groupId}`, {
      connections,
      headers: { Authorization: `Bearer ${scimKey}`, 'Content-Type': 'application/scim+json' },
      method: 'PATCH',
      ...options,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [{ op: 'add', path: 'members', value: [{ value: extras[next++ % extras.length] }] }],
            }),
          }),
        },
      ],
    });
}

/**
 * Issue 9, defect 8: PATCHes made of many `remove members[display co "…"]` operations, each of which
 * reads every member of the group. Times the pen-test's 1,000-operation PATCH on a group of
 * FILTERED_MEMBERS, the largest one a request may carry, 1,000 of Okta's removals by value (which
 * have no limit), and one-member additions to the big group while that largest filtered PATCH runs
 * again and again on the other group. The filters match nobody, so every repetition does the same work.
 */
async function filteredPatches(
  store: string,
  base: string,
  scimKey: string,
  prepared: Prepared,
  addOne: MemberAdder,
): Promise<void> {
  const patchFiltered = async (paths: string[]): Promise<{ ms: number; status: number }> => {
    const started = performance.now();
    const res = await fetch(`${base}/scim/v2/Groups/${prepared.ids.filteredGroupId}`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${scimKey}`,
        'Content-Type': 'application/scim+json',
        Prefer: 'return=minimal',
      },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: paths.map((path) => ({ op: 'remove', path })),
      }),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  };
  const filteredPatch = (operations: number) =>
    patchFiltered(Array.from({ length: operations }, (_, i) => `members[display co "nobody-${i}"]`));
  const timed = async (operations: number, runs: number, patch = filteredPatch) => {
    const results: { ms: number; status: number }[] = [];
    for (let i = 0; i < runs; i++) results.push(await patch(operations));
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    return {
      p50: round(median(ms)),
      max: round(ms[ms.length - 1]!),
      statuses: [...new Set(results.map((r) => r.status))].join('/'),
    };
  };
  const thousand = await timed(FILTERED_OPS, 3);
  rows.push({
    store,
    what: `PATCH ${FILTERED_OPS} x remove members[display co] on a ${FILTERED_MEMBERS}-member group`,
    p50: thousand.p50,
    p99: thousand.max,
    note: `answers ${thousand.statuses}; p99 column = max of 3`,
  });
  if (FILTERED_OPS_ALLOWED !== FILTERED_OPS) {
    const most = await timed(FILTERED_OPS_ALLOWED, 10);
    rows.push({
      store,
      what: `  the same with ${FILTERED_OPS_ALLOWED} operations (the most a request may carry)`,
      p50: most.p50,
      p99: most.max,
      note: `answers ${most.statuses}; p99 column = max of 10`,
    });
  }
  // Okta's form, which names its members and has no limit: ids that are in no group, so nothing changes.
  const byValue = await timed(FILTERED_OPS, 10, (n) =>
    patchFiltered(Array.from({ length: n }, () => `members[value eq "${randomUUID()}"]`)),
  );
  rows.push({
    store,
    what: `PATCH ${FILTERED_OPS} x remove members[value eq] (Okta) on that group`,
    p50: byValue.p50,
    p99: byValue.max,
    note: `answers ${byValue.statuses}; p99 column = max of 10`,
  });
  // The largest PATCH a request may carry, repeated on the other group while one-member additions run.
  let running = true;
  let repeated = 0;
  const background = (async () => {
    while (running) {
      await filteredPatch(FILTERED_OPS_ALLOWED);
      repeated++;
    }
  })();
  const beside = await addOne(1, { duration: DURATION });
  running = false;
  await background;
  rows.push({
    store,
    what: `PATCH add 1 member to a ${USERS}-member group beside ${FILTERED_OPS_ALLOWED} filtered ops on another`,
    reqPerSec: beside.requests.average,
    p50: beside.latency.p50,
    p99: beside.latency.p99,
    target: 'p50 < 10 ms',
    note: `1 connection; the filtered PATCH ran ${repeated} times meanwhile${beside.errors ? `; ${beside.errors} errors (${beside.timeouts} timeouts)` : ''}`,
  });
}

/** Only the member PATCH figures (BENCH_ONLY=groups). */
async function measureGroups(kind: 'pglite' | 'postgres'): Promise<void> {
  const store = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const prepared = await prepare(kind);
  const server = await startServer({ ...prepared.env, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const scimKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench scim', scim: true, expiration: 'never' })
    ).json.token as string;
    const addOne = memberAdder(base, scimKey, prepared);
    const alone = await addOne(1, { amount: 2000 });
    rows.push({
      store,
      what: `PATCH add 1 member to a ${USERS}-member group`,
      reqPerSec: alone.requests.average,
      p50: alone.latency.p50,
      p99: alone.latency.p99,
      target: 'p50 < 10 ms',
      note: '1 connection: latency; each a new member',
    });
    await filteredPatches(store, base, scimKey, prepared, addOne);
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

/**
 * WORKERS=2 (node:cluster) on the same database, next to the one-process server, the two measured in
 * alternation: authenticated SCIM reads, against the one-process figure.
 */
async function workers(prepared: Prepared, scimKey: string, single: string, store: string): Promise<void> {
  const server = await startServer({ ...prepared.env, WORKERS: '2' });
  try {
    const headers = { Authorization: `Bearer ${scimKey}` };
    const cluster = `http://127.0.0.1:${server.port}`;
    const half = Math.max(1, Math.round(DURATION / 2));
    for (const [what, path] of [
      ['GET /scim/v2/Users/:id', `/scim/v2/Users/${prepared.ids.userId}`],
      [
        'GET /scim/v2/Users?filter=userName eq',
        `/scim/v2/Users?filter=${encodeURIComponent('userName eq "user54321@example.com"')}`,
      ],
    ] as const) {
      const one: autocannon.Result[] = [];
      const two: autocannon.Result[] = [];
      for (let i = 0; i < 2; i++) {
        one.push(await load(`${single}${path}`, { headers, duration: half }));
        two.push(await load(`${cluster}${path}`, { headers, duration: half }));
      }
      const mean = (list: autocannon.Result[]) => list.reduce((a, r) => a + r.requests.average, 0) / list.length;
      rows.push({
        store,
        what: `WORKERS=2: ${what}`,
        reqPerSec: mean(two),
        p50: two[0]!.latency.p50,
        p99: two[0]!.latency.p99,
        vsHello: `${(mean(two) / mean(one)).toFixed(2)}x one process`,
        target: '>= 1.7x one process',
        note: `one process alternated: ${Math.round(mean(one))} req/s`,
      });
    }
  } finally {
    await stop(server.child);
  }
}

/** Time from a change committed on one process to refusal on another, through LISTEN/NOTIFY. */
async function pickupLag(port: number, env: Record<string, string>, store: string): Promise<void> {
  const second = await startServer(env);
  try {
    const group = await api(port, 'POST', '/api/v1/groups', ADMIN_KEY, {
      displayName: 'Pickup',
      rules: [{ permission: 'keys:read' }],
    });
    const key = (await api(port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'pickup', groupId: group.json.id })).json
      .token as string;
    const lags: number[] = [];
    for (let i = 0; i < 30; i++) {
      await api(port, 'PUT', `/api/v1/groups/${String(group.json.id)}/rules`, ADMIN_KEY, {
        rules: [{ permission: 'keys:read' }],
      });
      while (!(await api(second.port, 'POST', '/api/v1/authorize', key, { permission: 'keys:read' })).json.allowed)
        await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();
      await api(port, 'PUT', `/api/v1/groups/${String(group.json.id)}/rules`, ADMIN_KEY, { rules: [] });
      const committed = performance.now();
      while ((await api(second.port, 'POST', '/api/v1/authorize', key, { permission: 'keys:read' })).json.allowed) {
        if (performance.now() - t0 > 5000) break;
      }
      lags.push(performance.now() - committed);
    }
    lags.sort((a, b) => a - b);
    rows.push({
      store,
      what: 'pickup lag: rule change -> refusal on 2nd process',
      p50: round(lags[Math.floor(lags.length / 2)]!),
      p99: round(lags[lags.length - 1]!),
      target: 'p50 < 100 ms, max < 1 s',
      note: 'p99 column = max of 30',
    });
  } finally {
    await stop(second.child);
  }
}

/** The server process's CPU time so far, in ms (Linux /proc), or undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * What authenticating a cached key costs a request: the same tiny route with and without the
 * middleware, alternated six times. Two figures: the server's own CPU time per request (steady), and
 * the median throughput (which this machine's drift of ±15 % from run to run blurs).
 */
async function authOverhead(kind: 'pglite' | 'postgres'): Promise<void> {
  const store = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
  const prepared = await prepare(kind, { seed: false });
  const server = await startProcess(tsx('auth-overhead-server.ts'), {
    ...prepared.env,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
  });
  try {
    const headers = { Authorization: `Bearer ${ADMIN_KEY}` };
    await fetch(`http://127.0.0.1:${server.port}/ping-auth`, { headers }); // verify once (bcrypt), then cached
    const runs = {
      plain: { rps: [] as number[], cpu: [] as number[] },
      layer: { rps: [] as number[], cpu: [] as number[] },
      authed: { rps: [] as number[], cpu: [] as number[] },
    };
    const half = Math.max(1, Math.round(DURATION / 2));
    for (let i = 0; i < 6; i++) {
      // Every route gets the same request, Authorization header included: only the middleware differs.
      for (const [which, path] of [
        ['plain', '/ping'],
        ['layer', '/ping-layer'],
        ['authed', '/ping-auth'],
      ] as const) {
        const before = cpuMs(server.child.pid);
        const r = await load(`http://127.0.0.1:${server.port}${path}`, { headers, duration: half });
        const after = cpuMs(server.child.pid);
        runs[which].rps.push(r.requests.average);
        if (before !== undefined && after !== undefined)
          runs[which].cpu.push(((after - before) * 1000) / r.requests.total);
      }
    }
    const cpuPlain = runs.plain.cpu.length ? median(runs.plain.cpu) : undefined;
    const cpuLayer = runs.layer.cpu.length ? median(runs.layer.cpu) : undefined;
    const cpuAuthed = runs.authed.cpu.length ? median(runs.authed.cpu) : undefined;
    const cpuNote = (v: number | undefined) => (v === undefined ? '' : `server CPU ${v.toFixed(0)} µs/request; `);
    const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;
    rows.push({
      store,
      what: 'route without authentication',
      reqPerSec: median(runs.plain.rps),
      note: `${cpuNote(cpuPlain)}median of 6 alternated runs`,
    });
    rows.push({
      store,
      what: '  same route, one no-op middleware',
      reqPerSec: median(runs.layer.rps),
      vsHello:
        cpuPlain !== undefined && cpuLayer !== undefined
          ? `CPU ${signed(((cpuLayer - cpuPlain) / cpuPlain) * 100)}`
          : '-',
      note: `${cpuNote(cpuLayer)}Express's own cost for a layer`,
    });
    const rpsChange = (median(runs.authed.rps) / median(runs.plain.rps) - 1) * 100;
    const cpuMore =
      cpuPlain !== undefined && cpuAuthed !== undefined ? ((cpuAuthed - cpuPlain) / cpuPlain) * 100 : undefined;
    // The same cost measured directly: the cached-key check in this process, 200,000 times.
    const micro = await cachedCheckMicros();
    rows.push({
      store,
      what: 'same route, cached key',
      reqPerSec: median(runs.authed.rps),
      vsHello:
        cpuMore !== undefined ? `CPU ${signed(cpuMore)}, req/s ${signed(rpsChange)}` : `req/s ${signed(rpsChange)}`,
      target: 'within 5 %',
      note: `${cpuNote(cpuAuthed)}median of 6 alternated runs (±15 % drift)`,
    });
    if (cpuPlain !== undefined) {
      rows.push({
        store,
        what: '  the cached-key check alone, in-process',
        vsHello: `${((micro / cpuPlain) * 100).toFixed(1)} % of the route's CPU`,
        target: 'within 5 %',
        note: `${micro.toFixed(2)} µs per request (200,000 checks)`,
      });
    }
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

/**
 * µs per call of the authentication middleware's cached path (token digest, two cache lookups,
 * status). That path never reads the database, so an in-memory one of its own will do.
 */
async function cachedCheckMicros(): Promise<number> {
  const config = loadConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'silent' });
  const db = await PgliteDb.open();
  await migrate(db);
  const keyscope = await createKeyscope({ db, config, logger });
  try {
    await keyscope.orgs.bootstrap(ADMIN_KEY);
    const header = `Bearer ${ADMIN_KEY}`;
    await keyscope.authenticator.authenticate(header, 'bench');
    const n = 200_000;
    for (let i = 0; i < 20_000; i++) keyscope.authenticator.authenticateCached(header);
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) keyscope.authenticator.authenticateCached(header);
    return Number(process.hrtime.bigint() - started) / 1000 / n;
  } finally {
    await keyscope.stop();
    await db.close();
  }
}

function printRows(): void {
  process.stdout.write(
    `\n${formatTable(
      ['STORE', 'WHAT', 'REQ/S', 'P50 MS', 'P99 MS', 'VS HELLO', 'TARGET', 'NOTE'],
      rows.map((r) => [
        r.store,
        r.what,
        r.reqPerSec !== undefined ? String(Math.round(r.reqPerSec)) : '-',
        r.p50 !== undefined ? String(r.p50) : '-',
        r.p99 !== undefined ? String(r.p99) : '-',
        r.vsHello ?? '-',
        r.target ?? '-',
        r.note ?? '',
      ]),
    )}`,
  );
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Token exchange (RFC 8693): exchanges per second (one ES256 signature each), then /authorize with
 * the exchanged JWT (a signature check once, then cached claims) beside the figure with the key.
 */
async function measureTokens(base: string, serviceKey: string, baseline: Baseline, store: string): Promise<void> {
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: serviceKey,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    scope: 'keys:read',
    expires_in: '900',
  }).toString();
  const headers = { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/x-www-form-urlencoded' };
  const exchange = await load(`${base}/api/v1/token`, { method: 'POST', headers, body: form });
  rows.push({
    store,
    what: 'POST /api/v1/token (exchange)',
    reqPerSec: exchange.requests.average,
    p50: exchange.latency.p50,
    p99: exchange.latency.p99,
    note: 'one ES256 signature per request',
  });
  const issued = await fetch(`${base}/api/v1/token`, { method: 'POST', headers, body: form });
  const jwt = ((await issued.json()) as { access_token: string }).access_token;
  const { result, ratio } = await versusHello(baseline, `${base}/api/v1/authorize`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ permission: 'keys:read' }),
  });
  rows.push({
    store,
    what: 'POST /api/v1/authorize with a JWT',
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    vsHello: `${Math.round(ratio * 100)} %`,
    note: 'the same key, exchanged: compare with the row with the key',
  });
}

/** BENCH_ONLY=tokens: a server without seeded users, the key figure and the token figures. */
async function tokensOnly(baseline: Baseline): Promise<void> {
  const prepared = await prepare('pglite', { seed: false });
  const server = await startServer({ ...prepared.env, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const group = await api(server.port, 'POST', '/api/v1/groups', ADMIN_KEY, {
      displayName: 'Bench services',
      rules: [{ permission: 'keys:read' }],
    });
    const serviceKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench service', groupId: group.json.id })
    ).json.token as string;
    // Warm up (JIT, the first bcrypt, caches), as the full run's earlier figures do.
    await load(`${base}/api/v1/authorize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ permission: 'keys:read' }),
      duration: 2,
    });
    const { result, ratio } = await versusHello(baseline, `${base}/api/v1/authorize`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ permission: 'keys:read' }),
    });
    rows.push({
      store: 'PGlite',
      what: 'POST /api/v1/authorize',
      reqPerSec: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      vsHello: `${Math.round(ratio * 100)} %`,
    });
    await measureTokens(base, serviceKey, baseline, 'PGlite');
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

/**
 * Issue 15's figure: POST /api/v1/authorize and GET /api/v1/me with a cached key, beside the
 * hello-world answering the same requests (same path, headers and body; helmet and express.json()
 * included), alternated six times. Throughput is the target; each server's own CPU time per request
 * is the steadier figure on a machine that drifts.
 */
async function hotPath(baseline: Baseline, store = 'PGlite'): Promise<void> {
  const prepared = await prepare('pglite', { seed: false });
  const server = await startServer({ ...prepared.env, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const group = await api(server.port, 'POST', '/api/v1/groups', ADMIN_KEY, {
      displayName: 'Bench services',
      rules: [{ permission: 'keys:read' }],
    });
    const serviceKey = (
      await api(server.port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench service', groupId: group.json.id })
    ).json.token as string;
    const requests: [string, string, Partial<autocannon.Options>][] = [
      [
        'POST /api/v1/authorize, cached key',
        '/api/v1/authorize',
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${serviceKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ permission: 'keys:read' }),
        },
      ],
      ['GET /api/v1/me, cached key', '/api/v1/me', { headers: { Authorization: `Bearer ${serviceKey}` } }],
      [
        'POST /api/v1/authorize, cached key, conditional rules',
        '/api/v1/authorize',
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${await conditionalKey(server.port)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ permission: 'keys:read' }),
        },
      ],
      [
        'POST /api/v1/authorize, cached key, IdP role mappings',
        '/api/v1/authorize',
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${await idpRolesKey(server.port)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ permission: 'keys:read' }),
        },
      ],
    ];
    const helloBase = baseline.url.replace(/\/$/, '');
    for (const [what, pathname, options] of requests) {
      await load(`${base}${pathname}`, { ...options, duration: 2 }); // warm up: JIT, the one bcrypt, caches
      const ours = { rps: [] as number[], cpu: [] as number[] };
      const hello = { rps: [] as number[], cpu: [] as number[] };
      const half = Math.max(1, Math.round(DURATION / 2));
      for (let i = 0; i < 6; i++) {
        for (const [runs, url, pid] of [
          [ours, `${base}${pathname}`, server.child.pid],
          [hello, `${helloBase}${pathname}`, baseline.pid],
        ] as const) {
          const before = cpuMs(pid);
          const r = await load(url, { ...options, duration: half });
          const after = cpuMs(pid);
          runs.rps.push(r.requests.average);
          if (before !== undefined && after !== undefined) runs.cpu.push(((after - before) * 1000) / r.requests.total);
        }
      }
      const cpu = (runs: { cpu: number[] }) => (runs.cpu.length ? `${median(runs.cpu).toFixed(0)} µs` : '?');
      rows.push({
        store,
        what,
        reqPerSec: median(ours.rps),
        vsHello: `${Math.round((median(ours.rps) / median(hello.rps)) * 100)} %`,
        target: '>= 80 %',
        note: `server CPU/request ${cpu(ours)} vs hello ${cpu(hello)} (${Math.round(median(hello.rps))} req/s); median of 6 alternated runs`,
      });
    }
  } finally {
    await stop(server.child);
    await prepared.cleanup();
  }
}

/**
 * A personal key whose grant includes conditional rules (issue 13): its owner, pushed over SCIM, is in
 * a group with four rules whose conditions (SCIM filters over the user) are evaluated when the key is
 * resolved; three hold. Cached, a request costs what any cached key costs: the figure shows it.
 */
async function conditionalKey(port: number): Promise<string> {
  const scimKey = (await api(port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench scim', scim: true })).json
    .token as string;
  const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const user = await api(port, 'POST', '/scim/v2/Users', scimKey, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', enterprise],
    userName: 'conditional@example.com',
    title: 'Lead',
    [enterprise]: { department: 'Payments' },
  });
  const group = await api(port, 'POST', '/scim/v2/Groups', scimKey, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Bench conditional',
    members: [{ value: user.json.id }],
  });
  const rules = await api(port, 'PUT', `/api/v1/groups/${group.json.id}/rules`, ADMIN_KEY, {
    rules: [
      { permission: 'keys:read', when: `${enterprise}:department eq "Payments"` },
      { permission: 'groups:read', when: 'title eq "Lead" and active eq true' },
      { permission: 'users:read', when: 'emails[type eq "work"] or title sw "L"' },
      { permission: 'audit:read', when: `${enterprise}:department eq "Sales"` },
    ],
  });
  if (rules.status !== 200) throw new Error(`conditional rules: ${rules.status} ${JSON.stringify(rules.json)}`);
  return (
    await api(port, 'POST', '/api/v1/keys', ADMIN_KEY, {
      name: 'bench conditional',
      kind: 'personal',
      ownerUserId: user.json.id,
    })
  ).json.token as string;
}

/**
 * A personal key whose grant comes from the identity provider (issue 13): under the idpRoles policy,
 * its owner's `roles` name a built-in role and a role the organization defined, and an entitlement
 * names a permission, another value names nothing; the owner is in no group. keys:read comes from
 * the organization's role.
 */
async function idpRolesKey(port: number): Promise<string> {
  const scimKey = (await api(port, 'POST', '/api/v1/keys', ADMIN_KEY, { name: 'bench idp scim', scim: true })).json
    .token as string;
  const role = await api(port, 'POST', '/api/v1/roles', ADMIN_KEY, {
    name: 'bench-operator',
    permissions: ['keys:read', 'users:read'],
  });
  if (role.status !== 201) throw new Error(`bench role: ${role.status} ${JSON.stringify(role.json)}`);
  const policy = await api(port, 'PATCH', '/api/v1/organizations/current', ADMIN_KEY, { idpRoles: true });
  if (policy.status !== 200) throw new Error(`idpRoles: ${policy.status} ${JSON.stringify(policy.json)}`);
  const user = await api(port, 'POST', '/scim/v2/Users', scimKey, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'idp-roles@example.com',
    roles: [{ value: 'bench-operator' }, { value: 'Approver' }],
    entitlements: [{ value: 'audit:read' }],
  });
  const token = (
    await api(port, 'POST', '/api/v1/keys', ADMIN_KEY, {
      name: 'bench idp roles',
      kind: 'personal',
      ownerUserId: user.json.id,
    })
  ).json.token as string;
  const check = await api(port, 'POST', '/api/v1/authorize', token, { permission: 'keys:read' });
  if (check.json.allowed !== true) throw new Error(`the IdP roles key lacks keys:read: ${JSON.stringify(check.json)}`);
  return token;
}

async function main() {
  process.stderr.write(`keyscope bench: ${DURATION}s per measurement, ${CONNECTIONS} connections, ${USERS} users\n`);
  if (process.env.BENCH_ONLY === 'auth') {
    await authOverhead('pglite');
    if (process.env.DATABASE_URL) await authOverhead('postgres');
    printRows();
    return;
  }
  if (process.env.BENCH_ONLY === 'groups') {
    await measureGroups('pglite');
    if (process.env.DATABASE_URL) await measureGroups('postgres');
    printRows();
    return;
  }
  const { baseline, child } = await startBaseline();
  if (process.env.BENCH_ONLY === 'hot') {
    try {
      await hotPath(baseline);
    } finally {
      await stop(child);
    }
    printRows();
    return;
  }
  if (process.env.BENCH_ONLY === 'search') {
    try {
      await searchOnly(baseline);
    } finally {
      await stop(child);
    }
    printRows();
    return;
  }
  if (process.env.BENCH_ONLY === 'tokens') {
    try {
      await tokensOnly(baseline);
    } finally {
      await stop(child);
    }
    printRows();
    return;
  }
  try {
    await hotPath(baseline);
    await authOverhead('pglite');
    await measureStore('pglite', baseline);
    if (process.env.DATABASE_URL) {
      await authOverhead('postgres');
      await measureStore('postgres', baseline);
    } else {
      process.stderr.write('  (set DATABASE_URL to measure on PostgreSQL too)\n');
    }
  } finally {
    await stop(child);
  }
  const hello = baseline.runs;
  rows.unshift({
    store: '-',
    what: 'Express + helmet hello-world (baseline)',
    reqPerSec: hello.reduce((a, r) => a + r.requests.average, 0) / Math.max(1, hello.length),
    p50: hello[0]?.latency.p50,
    p99: hello[0]?.latency.p99,
    note: `mean of the ${hello.length} runs alternated with the figures compared with it`,
  });
  printRows();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
