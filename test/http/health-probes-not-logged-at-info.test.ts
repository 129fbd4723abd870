import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A load balancer or orchestrator probes /healthz and /readyz every few seconds: at info those lines
 * would drown the requests that matter. Probes that succeed are logged at debug; a failing one (503)
 * still at error.
 */
interface Line {
  level: number;
  path?: string;
  status?: number;
  msg: string;
}
const INFO = 30;
const DEBUG = 20;
const ERROR = 50;

const requestLines = (app: TestApp): Line[] =>
  app
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.msg === 'request');

describe('at LOG_LEVEL=info', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'info' } });
  });
  afterAll(() => app.close());

  it('health probes leave no line; other requests do', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await app.http.get('/healthz')).status).toBe(200);
      expect((await app.http.get('/readyz')).status).toBe(200);
    }
    await app.http.get('/api/v1/me').set('Authorization', `Bearer ${app.adminToken}`);
    const lines = requestLines(app);
    expect(lines.filter((l) => l.path === '/healthz' || l.path === '/readyz')).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: INFO, path: '/api/v1/me', status: 200 }));
  });

  it('a failing readiness probe is still logged, at error', async () => {
    const db = app.keyscope.db;
    const ping = db.ping;
    db.ping = () => Promise.reject(new Error('database down (test)'));
    try {
      expect((await app.http.get('/readyz')).status).toBe(503);
    } finally {
      db.ping = ping;
    }
    expect(requestLines(app)).toContainEqual(expect.objectContaining({ level: ERROR, path: '/readyz', status: 503 }));
  });
});

describe('at LOG_LEVEL=debug', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'debug' } });
  });
  afterAll(() => app.close());

  it('health probes are logged, at debug', async () => {
    await app.http.get('/healthz');
    await app.http.get('/readyz');
    const lines = requestLines(app);
    expect(lines).toContainEqual(expect.objectContaining({ level: DEBUG, path: '/healthz', status: 200 }));
    expect(lines).toContainEqual(expect.objectContaining({ level: DEBUG, path: '/readyz', status: 200 }));
  });
});
