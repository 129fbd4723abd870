import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { tempDataDir } from '../support/server-process.js';

/** Two PGlite instances on one directory corrupt it: the embedded database belongs to one process at a time. */
describe('the embedded database directory', () => {
  let data: ReturnType<typeof tempDataDir>;
  beforeEach(() => {
    data = tempDataDir();
  });
  afterEach(() => data.remove());

  it('refuses a second opening while the first is open, and allows one after it is closed', async () => {
    const first = await PgliteDb.open({ dataDir: data.dir });
    try {
      await expect(PgliteDb.open({ dataDir: data.dir })).rejects.toThrow(
        `DATA_DIR ${data.dir} is in use by process ${process.pid} (stop it first, or use DATABASE_URL for several processes)`,
      );
      await first.exec('CREATE TABLE still_mine (id int)');
    } finally {
      await first.close();
    }
    expect(existsSync(path.join(data.dir, 'keyscope.lock'))).toBe(false);
    const again = await PgliteDb.open({ dataDir: data.dir });
    expect((await again.query('SELECT count(*)::int AS n FROM still_mine')).rows).toEqual([{ n: 0 }]);
    await again.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(path.join(data.dir, 'keyscope.lock'), `${gone}\n`);
    const db = await PgliteDb.open({ dataDir: data.dir });
    try {
      expect(readFileSync(path.join(data.dir, 'keyscope.lock'), 'utf8').trim()).toBe(String(process.pid));
      await db.ping();
    } finally {
      await db.close();
    }
  });
});
