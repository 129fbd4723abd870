import { ADMIN_KEY, startServerProcess, tempDataDir } from '../support/server-process.js';

/**
 * stdout is written one batch per turn of the event loop (one write for many lines under load): a quiet
 * server's line must still show at once, and every line written before SIGTERM must be out by exit.
 */
describe('request log lines on stdout', () => {
  const requestLines = (output: string, path: string) =>
    output.split('\n').filter((line) => line.includes('"msg":"request"') && line.includes(`"path":"${path}"`)).length;

  it('appear at once on a quiet server, and all of them by the time it has stopped', async () => {
    const data = tempDataDir();
    const server = await startServerProcess({ DATA_DIR: data.dir, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
    try {
      const auth = { headers: { Authorization: `Bearer ${ADMIN_KEY}` } };
      expect((await fetch(`${server.url}/api/v1/me`, auth)).status).toBe(200);
      const deadline = Date.now() + 1000;
      while (requestLines(server.output(), '/api/v1/me') < 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(requestLines(server.output(), '/api/v1/me')).toBe(1);

      const requests = 600;
      for (let i = 0; i < requests; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/api/v1/permissions`, auth)));
      }
      expect(await server.stop()).toBe(0);
      expect(requestLines(server.output(), '/api/v1/permissions')).toBe(requests);
    } finally {
      await server.stop('SIGKILL');
      data.remove();
    }
  }, 60_000);
});
