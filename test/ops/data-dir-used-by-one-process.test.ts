import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startServerProcess, tempDataDir, type ServerProcess } from '../support/server-process.js';

const BIN = path.resolve('dist/cli/keyscope.js');

function keyscope(args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: '', ...env },
    encoding: 'utf8',
  });
  return { code: run.status, output: run.stdout + run.stderr };
}

/** The embedded database belongs to one process: the CLI and a second server are refused while a server runs on it. */
describe('one process per DATA_DIR', () => {
  it('refuses `keyscope migrate`, `keyscope bootstrap` and a second server while a server runs, and lets them run after it stops', async () => {
    const data = tempDataDir();
    const started: ServerProcess[] = [];
    try {
      const server = await startServerProcess({ DATA_DIR: data.dir });
      started.push(server);
      const inUse = `DATA_DIR ${data.dir} is in use by process ${server.child.pid} (stop it first, or use DATABASE_URL for several processes)`;
      for (const command of ['migrate', 'bootstrap']) {
        const refused = keyscope([command], { DATA_DIR: data.dir });
        expect(refused).toEqual({ code: 1, output: expect.stringContaining(inUse) });
      }
      const second = await startServerProcess({ DATA_DIR: data.dir }, { waitReady: false });
      started.push(second);
      expect(await second.exit).toBe(1);
      expect(second.output()).toContain(inUse);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);

      expect(keyscope(['migrate', '--json'], { DATA_DIR: data.dir })).toEqual({
        code: 0,
        output: expect.stringContaining('"applied": []'),
      });
    } finally {
      await Promise.all(started.map((s) => s.stop('SIGKILL')));
      data.remove();
    }
  }, 60_000);
});
