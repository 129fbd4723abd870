import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The real `keyscope` binary (dist/cli/keyscope.js, built by `npm test`'s pretest). */
const BIN = path.resolve('dist/cli/keyscope.js');
const run = promisify(execFile);

let app: TestApp;
let server: Server;
let url: string;

beforeAll(async () => {
  app = await startTestApp();
  server = app.keyscope.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await app.close();
});

const keyscope = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [BIN, ...args], {
    env: { ...process.env, KEYSCOPE_URL: url, KEYSCOPE_API_KEY: app.adminToken, NODE_OPTIONS: '', ...env },
  });

describe('keyscope CLI: impersonation keys and signing keys', () => {
  it('creates an impersonation key and shows the flag in get and list', async () => {
    const created = JSON.parse(
      (await keyscope(['keys', 'create', '--name', 'embedder', '--impersonation', '--json'])).stdout,
    );
    expect(created.key.impersonation).toBe(true);
    const got = await keyscope(['keys', 'get', created.key.id]);
    expect(got.stdout.split('\n')[0]).toMatch(/\sSCIM\s.*\sIMPERSONATION$/);
    // SCIM no, and IMPERSONATION (the last column) yes.
    expect(got.stdout.split('\n')[2]).toMatch(/\sactive\s+no\s.*\syes$/);
    const list = await keyscope(['keys', 'list', '--owner', 'all']);
    expect(list.stdout).toContain('embedder [impersonator]');
  });

  it('rotates the signing key on the database itself', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keyscope-signing-'));
    const env = { DATABASE_URL: '', DATA_DIR: dir, BCRYPT_COST: '4' };
    try {
      await keyscope(['migrate'], env);
      const first = JSON.parse((await keyscope(['signing-keys', 'rotate', '--json'], env)).stdout);
      expect(first).toEqual({ kid: expect.any(String), retired: null });
      const second = await keyscope(['signing-keys', 'rotate'], env);
      expect(second.stdout).toMatch(/NEW KEY\s+RETIRED/);
      expect(second.stdout).toContain(first.kid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
