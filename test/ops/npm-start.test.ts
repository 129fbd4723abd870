import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILD_OUTPUTS, buildDecision } from '../../scripts/start.mjs';
import { ADMIN_KEY, freePort, tempDataDir } from '../support/server-process.js';

/**
 * Issue 15, item 2: `npm start` built everything on every start (about 17 s), and SIGTERM sent to
 * `npm start` left `node dist/main.js` running and holding the port. scripts/start.mjs builds only
 * when the build is older than its sources, and the server gets the signals npm gets.
 */

const repo = path.resolve('.');
const startScript = (
  JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'keyscope-start-'));
}

function write(root: string, file: string, text = 'x'): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Sets a file's or folder's modification time, `secondsAgo` before now. */
function age(root: string, file: string, secondsAgo: number): void {
  const at = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path.join(root, file), at, at);
}

const OUTPUTS = BUILD_OUTPUTS;

/** A project tree with sources written 100 s ago and a build 50 s ago. */
function builtProject(): string {
  const root = tempDir();
  write(root, 'package.json', '{}');
  write(root, 'tsconfig.json', '{}');
  write(root, 'tsconfig.client.json', '{}');
  write(root, 'src/main.ts');
  write(root, 'src/http/app.ts');
  write(root, 'ui/src/app.tsx');
  for (const output of OUTPUTS) {
    if (output.endsWith('migrations')) mkdirSync(path.join(root, output), { recursive: true });
    else write(root, output);
  }
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsconfig.client.json',
    'src/main.ts',
    'src/http/app.ts',
    'src/http',
    'src',
  ]) {
    age(root, entry, 100);
  }
  for (const entry of ['ui/src/app.tsx', 'ui/src', 'ui']) age(root, entry, 100);
  for (const output of OUTPUTS) age(root, output, 50);
  return root;
}

describe('the build decision of npm start (scripts/start.mjs)', () => {
  let root: string;
  beforeEach(() => {
    root = builtProject();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('starts at once when the build is newer than every source', () => {
    expect(buildDecision(root)).toEqual({ build: false, reason: 'the build is newer than its sources' });
  });

  it('builds when a source changed after the build, naming it', () => {
    age(root, 'src/http/app.ts', 10);
    expect(buildDecision(root)).toEqual({ build: true, reason: 'src/http/app.ts changed after the last build' });
  });

  it('builds when the admin page, package.json or any tsconfig*.json changed', () => {
    for (const source of ['ui/src/app.tsx', 'package.json', 'tsconfig.json', 'tsconfig.client.json']) {
      const fresh = builtProject();
      age(fresh, source, 10);
      expect(buildDecision(fresh)).toEqual({ build: true, reason: `${source} changed after the last build` });
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('builds when a source file was added or removed (its folder changed)', () => {
    write(root, 'src/http/new-middleware.ts');
    expect(buildDecision(root).build).toBe(true);
    const other = builtProject();
    rmSync(path.join(other, 'src/main.ts'));
    expect(buildDecision(other)).toEqual({ build: true, reason: 'src changed after the last build' });
    rmSync(other, { recursive: true, force: true });
  });

  it('builds when any output is missing, naming it', () => {
    rmSync(path.join(root, 'dist/ui'), { recursive: true });
    expect(buildDecision(root)).toEqual({ build: true, reason: 'dist/ui/index.html is missing' });
  });

  it('starts an install that ships dist/ without its sources', () => {
    rmSync(path.join(root, 'src'), { recursive: true });
    rmSync(path.join(root, 'ui'), { recursive: true });
    expect(buildDecision(root).build).toBe(false);
  });

  it('finds this repository freshly built (npm test builds first), so npm start will not rebuild it', () => {
    const decision = buildDecision(repo);
    if (decision.build) throw new Error(`dist/ is stale (${decision.reason}): run npm run build before this test`);
  });
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(cwd: string, env: Record<string, string> = {}): Run {
  const child = spawn('npm', ['start'], {
    cwd,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: '',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exit };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, run: Run, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`npm start exited before ${what}:\n${run.output()}`);
    }
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${what} within ${ms} ms:\n${run.output()}`);
}

/** Every process below `pid`, with its command line (from /proc). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const found: { pid: number; cmd: string }[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // ended meanwhile
      }
      found.push({ pid: child, cmd });
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A project with this repository's start script and a stand-in build (it logs each run) and server
 * (it reports the signal it gets and exits 7 on SIGINT), so real `npm start` runs take a second.
 * The stand-in says it is up only once its signal handlers are in place: a signal sent on that
 * word must find them (under load, it once came in between and killed the stand-in outright).
 */
function fixtureProject(): string {
  const root = tempDir();
  write(
    root,
    'package.json',
    JSON.stringify({
      name: 'start-fixture',
      private: true,
      type: 'module',
      scripts: { build: 'node build.mjs', start: startScript },
    }),
  );
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(path.join(repo, 'scripts/start.mjs'), path.join(root, 'scripts/start.mjs'));
  write(root, 'src/main.ts', 'export {};');
  write(root, 'ui/index.html', '<!doctype html>');
  write(
    root,
    'build.mjs',
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
appendFileSync('build.log', 'built\\n');
for (const dir of ['dist/cli', 'dist/client', 'dist/db/migrations', 'dist/ui']) mkdirSync(dir, { recursive: true });
writeFileSync('dist/cli/keyscope.js', '');
writeFileSync('dist/client/index.d.ts', '');
writeFileSync('dist/ui/index.html', '');
writeFileSync('dist/main.js', ${JSON.stringify(`setInterval(() => {}, 1000);
process.on('SIGTERM', () => { console.log('server got SIGTERM'); process.exit(0); });
process.on('SIGINT', () => { console.log('server got SIGINT'); process.exit(7); });
console.log('fixture server up');
`)});
`,
  );
  return root;
}

function builds(root: string): number {
  try {
    return readFileSync(path.join(root, 'build.log'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

describe('npm start, as a real process', () => {
  it('builds a missing build, then starts without building, then builds again after a source changed', async () => {
    const root = fixtureProject();
    try {
      const expectRun = async (expectedBuilds: number) => {
        const run = npmStart(root);
        await waitFor('the stand-in server', () => run.output().includes('fixture server up'), run, 30_000);
        expect(builds(root)).toBe(expectedBuilds);
        run.child.kill('SIGTERM');
        expect(await run.exit).toEqual({ code: 0, signal: null });
        expect(run.output()).toContain('server got SIGTERM');
        return run.output();
      };
      expect(await expectRun(1)).toContain('building first (dist/main.js is missing)');
      expect(await expectRun(1)).not.toContain('building first');
      // A change to a source after the build: a second or more later than the build's outputs.
      const later = new Date(statSync(path.join(root, 'dist/main.js')).mtimeMs + 2000);
      appendFileSync(path.join(root, 'src/main.ts'), '\n');
      utimesSync(path.join(root, 'src/main.ts'), later, later);
      expect(await expectRun(2)).toContain('building first (src/main.ts changed after the last build)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes SIGINT on to the server and exits with its exit code', async () => {
    const root = fixtureProject();
    try {
      const run = npmStart(root);
      await waitFor('the stand-in server', () => run.output().includes('fixture server up'), run, 30_000);
      run.child.kill('SIGINT');
      expect(await run.exit).toEqual({ code: 7, signal: null });
      expect(run.output()).toContain('server got SIGINT');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('keyscope: starts without building, and SIGTERM to npm stops the server and frees the port', async () => {
    const before = statSync(path.join(repo, 'dist/main.js')).mtimeMs;
    const data = tempDataDir();
    const port = await freePort();
    const run = npmStart(repo, {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
    });
    let servers: { pid: number; cmd: string }[] = [];
    try {
      await waitFor(
        '/healthz',
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        run,
      );
      servers = descendants(run.child.pid!).filter((p) => p.cmd.includes('dist/main.js'));
      expect(servers).toHaveLength(1);
      // No build: the outputs are untouched, and nothing said it built.
      expect(statSync(path.join(repo, 'dist/main.js')).mtimeMs).toBe(before);
      expect(run.output()).not.toContain('building first');

      run.child.kill('SIGTERM');
      expect(await run.exit).toEqual({ code: 0, signal: null });
      expect(run.output()).toMatch(/stopped: database closed/);
      expect(alive(servers[0]!.pid)).toBe(false);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      for (const p of servers) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      data.remove();
    }
  }, 60_000);
});
