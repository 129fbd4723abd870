import { startServerProcess, tempDataDir } from '../support/server-process.js';

/**
 * Logs go to stdout; when whatever reads it is gone (a pipe to a crashed log shipper), every write
 * fails with EPIPE. A flush that retried forever would keep a stopped server from ever exiting.
 */
describe('shutdown with stdout closed', () => {
  it('exits on SIGTERM after the reader of its stdout has gone', async () => {
    const data = tempDataDir();
    const server = await startServerProcess({ DATA_DIR: data.dir });
    try {
      server.child.stdout!.destroy();
      server.child.kill('SIGTERM');
      // A generous bound so that a hang fails with a message instead of jest's timeout.
      const hung = new Promise<'still running'>((resolve) =>
        setTimeout(() => resolve('still running'), 40_000).unref(),
      );
      expect(await Promise.race([server.exit, hung])).toBe(0);
    } finally {
      await server.stop('SIGKILL');
      data.remove();
    }
  }, 60_000);
});
