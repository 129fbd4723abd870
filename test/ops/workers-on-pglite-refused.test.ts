import { startServerProcess, tempDataDir } from '../support/server-process.js';

describe('WORKERS on the embedded database', () => {
  it('refuses WORKERS > 1 without DATABASE_URL, with a message saying what to do', async () => {
    const data = tempDataDir();
    try {
      const server = await startServerProcess({ DATA_DIR: data.dir, WORKERS: '2' }, { waitReady: false });
      expect(await server.exit).toBe(2);
      expect(server.output()).toMatch(/WORKERS=2 needs DATABASE_URL/);
      expect(server.output()).toMatch(/PostgreSQL/);
    } finally {
      data.remove();
    }
  });
});
