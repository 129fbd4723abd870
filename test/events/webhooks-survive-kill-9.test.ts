import { ADMIN_KEY, startServerProcess, tempDataDir } from '../support/server-process.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Nothing lost across crashes (issue 14): a keyscope process killed with SIGKILL while its webhook
 * requests are in flight, and started again on the same data, sends every committed event (again,
 * with the same webhook-id), each verified by the receiver; SIGTERM lets a delivery in flight finish.
 * Needs dist/ (npm test builds it first).
 */

const admin = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };

test('kill -9 mid-delivery and a restart lose no event', async () => {
  const data = tempDataDir();
  const receiver = await startWebhookReceiver();
  const env = {
    DATA_DIR: data.dir,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_RETRY_SCHEDULE: '100,200,300',
  };
  let server = await startServerProcess(env);
  try {
    const hook = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ url: receiver.url, events: ['key.created', 'key.revoked'] }),
    }).then((r) => r.json() as Promise<{ secret: string; webhook: { id: string } }>);
    receiver.setSecret(hook.secret);
    // The receiver hangs: every request is in flight when the process dies.
    let hang = true;
    receiver.answer = () => (hang ? new Promise<number>(() => undefined) : 200);

    const committed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/api/v1/keys`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: `crash ${i}`, expiration: '30d' }),
      });
      expect(res.status).toBe(201);
      committed.push(((await res.json()) as { key: { id: string } }).key.id);
    }
    // One key revoked too: its key.revoked must come after its key.created.
    expect(
      (await fetch(`${server.url}/api/v1/keys/${committed[0]}`, { method: 'DELETE', headers: admin })).status,
    ).toBe(200);
    await eventually(async () => receiver.received.length >= 5, 10_000);

    server.child.kill('SIGKILL');
    await server.exit;
    hang = false;
    const beforeRestart = receiver.received.length;

    server = await startServerProcess(env);
    const want = [...committed.map((id) => `key.created ${id}`), `key.revoked ${committed[0]}`];
    const seen = () =>
      new Set(
        receiver.received.slice(beforeRestart).map((e) => `${e.type} ${(e.payload.data.key as { id: string }).id}`),
      );
    // Leases of the killed process run out (2 × 1 s + 1 s), then everything is sent again.
    await eventually(async () => want.every((w) => seen().has(w)), 20_000);
    expect(receiver.refused).toEqual([]);
    // Every event arrived with the webhook-id it had before the crash, and in order per key.
    const ofFirst = receiver.received.filter((e) => (e.payload.data.key as { id: string }).id === committed[0]);
    const lastCreated = ofFirst.map((e) => e.type).lastIndexOf('key.created');
    const firstRevoked = ofFirst.map((e) => e.type).indexOf('key.revoked');
    expect(firstRevoked).toBeGreaterThan(lastCreated);
    const ids = new Map<string, Set<string>>();
    for (const e of receiver.received) {
      const key = `${e.type} ${(e.payload.data.key as { id: string }).id}`;
      ids.set(key, (ids.get(key) ?? new Set()).add(e.id));
    }
    for (const w of want) expect([w, ids.get(w)!.size]).toEqual([w, 1]);

    const deliveries = await fetch(`${server.url}/api/v1/webhooks/${hook.webhook.id}/deliveries`, {
      headers: admin,
    }).then((r) => r.json() as Promise<{ items: { status: string }[] }>);
    await eventually(async () => {
      const d = await fetch(`${server.url}/api/v1/webhooks/${hook.webhook.id}/deliveries`, { headers: admin }).then(
        (r) => r.json() as Promise<{ items: { status: string }[] }>,
      );
      return d.items.length === 6 && d.items.every((x) => x.status === 'delivered');
    }, 5000);
    expect(deliveries.items).toHaveLength(6);

    // SIGTERM with a delivery in flight: the worker waits for its answer and records it.
    receiver.answer = () => new Promise<number>((resolve) => setTimeout(() => resolve(200), 300));
    const res = await fetch(`${server.url}/api/v1/keys`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'during shutdown', expiration: '30d' }),
    });
    const last = ((await res.json()) as { key: { id: string } }).key.id;
    await eventually(
      async () => receiver.received.some((e) => (e.payload.data.key as { id: string }).id === last),
      5000,
    );
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServerProcess(env);
    const after = await fetch(`${server.url}/api/v1/webhooks/${hook.webhook.id}/deliveries?status=delivered`, {
      headers: admin,
    }).then((r) => r.json() as Promise<{ items: { subject: string; attempts: number }[] }>);
    expect(after.items.find((d) => d.subject === `key:${last}`)).toMatchObject({ attempts: 1 });
  } finally {
    await server.stop('SIGKILL');
    await receiver.stop();
    data.remove();
  }
}, 90_000);
