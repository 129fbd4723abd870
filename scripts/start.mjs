// `npm start`: builds only when the build is missing or older than its sources, then runs the server
// (dist/main.js) as a child that gets the signals this process gets, and exits as it exits.
//
// package.json runs it with `exec`, so npm's own shell is replaced by this process: npm forwards
// SIGTERM and SIGINT to its child, and a shell in between would die of the signal without passing
// it on, leaving the server running and holding its port.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the build reads: a change to any of them (a file added or removed changes its folder) means a
 * rebuild. The root's tsconfig*.json files are added to these, whatever their number.
 */
export const BUILD_SOURCES = ['src', 'ui', 'package.json', 'package-lock.json', 'scripts/copy-assets.mjs'];
/** What each step of the build writes (tsc twice, copy-assets, vite): the oldest is when it ran. */
export const BUILD_OUTPUTS = [
  'dist/main.js',
  'dist/cli/keyscope.js',
  'dist/client/index.d.ts',
  'dist/db/migrations',
  'dist/ui/index.html',
];

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git']);

/** The most recently modified file or folder under `entry` (itself included), or undefined when it does not exist. */
function newest(root, entry) {
  let stat;
  try {
    stat = statSync(path.join(root, entry));
  } catch {
    return undefined;
  }
  let found = { path: entry, mtimeMs: stat.mtimeMs };
  if (stat.isDirectory()) {
    for (const name of readdirSync(path.join(root, entry))) {
      if (SKIPPED_FOLDERS.has(name)) continue;
      const inner = newest(root, path.join(entry, name));
      if (inner && inner.mtimeMs > found.mtimeMs) found = inner;
    }
  }
  return found;
}

/** BUILD_SOURCES and the root's tsconfig*.json. */
export function buildSources(root) {
  const tsconfigs = readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name));
  return [...BUILD_SOURCES, ...tsconfigs.sort()];
}

/**
 * Whether `root` needs `npm run build` before it can start: yes when an output is missing or a
 * source changed after the oldest output was written. Sources that do not exist (an install that
 * ships dist/ alone) are not compared.
 * @param {string} root
 * @returns {{ build: boolean, reason: string }}
 */
export function buildDecision(root, sources = buildSources(root), outputs = BUILD_OUTPUTS) {
  let builtAt = Number.POSITIVE_INFINITY;
  for (const output of outputs) {
    let stat;
    try {
      stat = statSync(path.join(root, output));
    } catch {
      return { build: true, reason: `${output} is missing` };
    }
    builtAt = Math.min(builtAt, stat.mtimeMs);
  }
  for (const source of sources) {
    const changed = newest(root, source);
    if (changed && changed.mtimeMs > builtAt) {
      return { build: true, reason: `${changed.path} changed after the last build` };
    }
  }
  return { build: false, reason: 'the build is newer than its sources' };
}

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Runs a command with this process's stdin and stderr (its stdout goes where `stdout` says), passing
 * on the signals this process receives. Resolves with how it ended.
 */
function run(command, args, { cwd, stdout }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['inherit', stdout, 'inherit'] });
    const forward = (signal) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    child.once('error', (error) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve({ code, signal });
    });
  });
}

/** Ends this process the way a child ended: with its exit code, or by the same signal. */
function exitLike({ code, signal }) {
  if (signal) {
    process.kill(process.pid, signal);
    // Should the signal not end this process (a handler somewhere), the shell convention.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000).unref();
    return;
  }
  process.exit(code ?? 1);
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const decision = buildDecision(root);
  if (decision.build) {
    process.stderr.write(`keyscope: building first (${decision.reason}): npm run build\n`);
    // The build's output goes to stderr: stdout carries the server's JSON log lines only.
    const built = await run('npm', ['run', '-s', 'build'], { cwd: root, stdout: 2 });
    if (built.signal || built.code !== 0) {
      process.stderr.write('keyscope: the build failed; not starting\n');
      return exitLike(built.signal ? built : { code: built.code ?? 1 });
    }
  }
  const server = await run(process.execPath, ['--enable-source-maps', path.join(root, 'dist/main.js')], {
    cwd: process.cwd(),
    stdout: 'inherit',
  });
  exitLike(server);
}

// Run when started as a script; only export when imported (tests check buildDecision).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`keyscope: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
