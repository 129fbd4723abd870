import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { runServer, type RunningServer } from '../../src/server.js';
import { ADMIN_KEY, tempDataDir } from '../support/server-process.js';

/**
 * METRICS_PORT serves /metrics on a listener of its own, without a key, for Prometheus; the public
 * listener keeps asking for metrics:read. METRICS_HOST defaults to loopback.
 */
let running: RunningServer;
let data: ReturnType<typeof tempDataDir>;
let logs = '';
let publicUrl: string;
let metricsUrl: string;

beforeAll(async () => {
  data = tempDataDir();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const config = loadConfig({
    DATA_DIR: data.dir,
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    BCRYPT_COST: '4',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
  });
  expect(config.metricsHost).toBe('127.0.0.1');
  running = await runServer(config, createLogger('info', sink), { prepareDatabase: true });
  publicUrl = `http://127.0.0.1:${(running.server.address() as { port: number }).port}`;
  metricsUrl = `http://127.0.0.1:${running.metrics!.port}`;
}, 60_000);

afterAll(async () => {
  await running?.shutdown('test');
  data?.remove();
});

describe('the METRICS_PORT listener', () => {
  it('answers /metrics without a key, counting the public listener’s requests', async () => {
    await fetch(`${publicUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(
      /^keyscope_http_requests_total\{method="GET",route="\/api\/v1\/me",status="200"\} 1$/m,
    );
  });

  it('while the public listener still asks for a key with metrics:read', async () => {
    expect((await fetch(`${publicUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${publicUrl}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(
      200,
    );
  });

  it('serves nothing else: no admin API, no health probes, no admin page', async () => {
    for (const path of ['/', '/healthz', '/api/v1/me', '/ui/', '/metrics/x']) {
      const res = await fetch(`${metricsUrl}${path}`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
      expect(res.status).toBe(404);
    }
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('binds METRICS_HOST (loopback by default) and says where in the log', () => {
    expect(running.metrics!.server.address()).toMatchObject({ address: '127.0.0.1' });
    expect(logs).toContain(`metrics listening on http://127.0.0.1:${running.metrics!.port}/metrics`);
  });

  it('closes with the server', async () => {
    const port = running.metrics!.port;
    await running.shutdown('test');
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
