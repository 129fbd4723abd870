import { ADMIN_KEY, startServerProcess, tempDataDir } from '../support/server-process.js';

/** SIGTERM: in-flight requests finish, new ones are refused, the database is closed, nothing is lost. */
describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new ones, closes the database and exits 0', async () => {
    const data = tempDataDir();
    try {
      // bcrypt at cost 12 makes key creation slow enough to be caught in flight.
      const server = await startServerProcess({
        DATA_DIR: data.dir,
        BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        BCRYPT_COST: '12',
      });
      await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } }); // verify the admin key once
      const inFlight = fetch(`${server.url}/api/v1/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'created while stopping' }),
      });
      await new Promise((r) => setTimeout(r, 60));
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 30));
      const refused = await fetch(`${server.url}/healthz`).then(
        (res) => res.status,
        () => 'connection refused',
      );
      expect([503, 'connection refused']).toContain(refused);
      const res = await inFlight;
      expect(res.status).toBe(201);
      const created = (await res.json()) as { key: { id: string } };
      expect(await server.stop()).toBe(0);
      expect(server.output()).toMatch(/stopped: database closed/);

      // Nothing was lost: a new process on the same data sees the key.
      const again = await startServerProcess({ DATA_DIR: data.dir, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY });
      const read = await fetch(`${again.url}/api/v1/keys/${created.key.id}`, {
        headers: { Authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(read.status).toBe(200);
      expect(await again.stop()).toBe(0);
    } finally {
      data.remove();
    }
  }, 60_000);
});
