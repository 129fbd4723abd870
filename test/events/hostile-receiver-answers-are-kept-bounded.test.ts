import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bearer } from '../support/orgs.js';
import { createKey, startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';

/**
 * A receiver is a stranger's server (issue 14, docs/security.md §13): whatever it answers, an attempt
 * is recorded, bounded in size (500 characters) and in time (WEBHOOK_TIMEOUT_MS), and a redirect is
 * never followed.
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function hostile(handler: Handler): Promise<{ url: string; hits: string[]; stop(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '700', WEBHOOK_RETRY_SCHEDULE: '60000' },
  });
});
afterAll(() => app.close());

/** Subscribes `url`, creates a key, and returns the first attempt the delivery recorded. */
async function firstAttempt(url: string): Promise<Record<string, unknown>> {
  const created = await app.http
    .post('/api/v1/webhooks')
    .set(bearer(app.adminToken))
    .send({ url, events: ['key.created'] });
  expect(created.status).toBe(201);
  const id = created.body.webhook.id as string;
  await createKey(app, { name: 'to a hostile receiver', expiration: '30d' });
  let attempt: Record<string, unknown> | undefined;
  await eventually(async () => {
    const res = await app.http.get(`/api/v1/webhooks/${id}/deliveries`).set(bearer(app.adminToken));
    expect(res.status).toBe(200);
    attempt = res.body.items[0]?.attemptLog[0];
    return attempt !== undefined;
  }, 8000);
  await app.http.delete(`/api/v1/webhooks/${id}`).set(bearer(app.adminToken));
  return attempt!;
}

test('an answer holding NUL characters is recorded (without them), not left to be sent again forever', async () => {
  const r = await hostile((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\u0000\u0000done'),
  );
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt).toMatchObject({ statusCode: 200, error: null });
    expect(attempt.responseExcerpt).toBe('okdone');
    expect(r.hits).toEqual(['POST /hooks']);
  } finally {
    await r.stop();
  }
});

test('a huge answer keeps only its first 500 characters', async () => {
  const r = await hostile((_req, res) => res.writeHead(200).end('x'.repeat(5_000_000)));
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt.statusCode).toBe(200);
    expect(attempt.responseExcerpt).toBe('x'.repeat(500));
  } finally {
    await r.stop();
  }
});

test('an answer that never ends is cut at the deadline, its excerpt bounded', async () => {
  const r = await hostile((_req, res) => {
    res.writeHead(200);
    const t = setInterval(() => res.write('y'.repeat(1000)), 20);
    res.on('close', () => clearInterval(t));
  });
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt.error).toMatch(/no answer within 700 ms|aborted/);
    expect(attempt.durationMs as number).toBeLessThan(3000);
    expect(String(attempt.responseExcerpt ?? '').length).toBeLessThanOrEqual(500);
  } finally {
    await r.stop();
  }
});

test('a 200 sent after the deadline is a failed attempt', async () => {
  const r = await hostile((_req, res) => {
    const t = setTimeout(() => res.writeHead(200).end('late'), 2000);
    res.on('close', () => clearTimeout(t));
  });
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/no answer within 700 ms/) });
    expect(attempt.durationMs as number).toBeLessThan(2000);
  } finally {
    await r.stop();
  }
});

test('a slowloris answer (one byte at a time, each within the idle timeout) is cut at the deadline', async () => {
  const r = await hostile((req, res) => {
    const socket = req.socket;
    const line = `HTTP/1.1 200 OK\r\nX-Slow: ${'z'.repeat(1000)}`;
    let i = 0;
    const t = setInterval(() => {
      if (i < line.length) socket.write(line[i++]!);
    }, 100);
    res.on('close', () => clearInterval(t));
    socket.on('close', () => clearInterval(t));
  });
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt.error).toMatch(/no answer within 700 ms/);
    expect(attempt.durationMs as number).toBeLessThan(2000);
  } finally {
    await r.stop();
  }
});

test('a redirect is not followed, even to a public-looking path on the same receiver', async () => {
  const r = await hostile((req, res) => {
    if (req.url === '/hooks') res.writeHead(307, { location: '/elsewhere' }).end();
    else res.writeHead(200).end('followed');
  });
  try {
    const attempt = await firstAttempt(r.url);
    expect(attempt).toMatchObject({ statusCode: 307, error: 'the receiver answered 307' });
    expect(r.hits).toEqual(['POST /hooks']);
  } finally {
    await r.stop();
  }
});
