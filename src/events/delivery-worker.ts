import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook as Signer } from 'standardwebhooks';
import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { type DeliveryAttempt, nextAttemptAt, type RetryPolicy } from './events.js';
import { EVENTS_CHANNEL, type SecretSealer } from './events-service.js';
import { type ClaimedDelivery, claimDue, nextDueAt, recordAttempt } from './events-store.js';
import { isPrivateAddress, urlProblem } from './targets.js';

export interface DeliveryWorkerOptions {
  db: Db;
  logger: Logger;
  sealer: SecretSealer;
  now: () => Date;
  retry: RetryPolicy;
  /** How long one request may take (WEBHOOK_TIMEOUT_MS, default 10 000). */
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /**
   * The longest the worker sleeps while deliveries are pending (default 60 s). With nothing pending it
   * sends no statement at all until a NOTIFY (or a lost connection) wakes it: every outbox row is
   * announced by one, and a pending row's next attempt or lease end sets the timer.
   */
  pollMs?: number;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
}

const EXCERPT = 500;

const withoutNul = (text: string) => text.replaceAll('\u0000', '');

/**
 * Sends the outbox, in every process: claims due rows (SKIP LOCKED, then a lease), signs each per
 * Standard Webhooks, posts it, and records the attempt. Woken by NOTIFY when an event commits, and by
 * a timer for retries and as a safety net. At least once: a row is marked only after its answer, so a
 * process killed mid-delivery leaves it to be sent again when its lease runs out.
 */
export class DeliveryWorker {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: DeliveryWorkerOptions) {}

  async start(): Promise<void> {
    this.unlisten = await this.o.db.listen(EVENTS_CHANNEL, {
      onMessage: () => this.wake(),
      onGap: () => this.wake(),
    });
    this.wake();
  }

  /** Stops claiming; waits for the requests in flight (bounded by the timeout), so none is left half-recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) =>
        this.o.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'webhook delivery pass failed',
        ),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        } else void this.schedule();
      });
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    const poll = this.o.pollMs ?? 60_000;
    let wait: number | null = poll;
    try {
      const due = await nextDueAt(this.o.db);
      wait = due ? Math.max(10, Math.min(poll, due.getTime() - this.o.now().getTime() + 5)) : null;
    } catch {
      // The database is away: look again later.
    }
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    if (wait === null) return;
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const concurrency = this.o.concurrency ?? 8;
    while (!this.stopped) {
      const free = concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race([...this.inFlight]);
        continue;
      }
      const now = this.o.now();
      // The lease outlasts the request's deadline twice over, so a live worker keeps its row; a worker
      // killed mid-delivery holds it that long (21 s by default) before another sends it again.
      const lease = new Date(now.getTime() + 2 * this.o.timeoutMs + 1000);
      const claimed = await this.o.db.transaction((tx) => claimDue(tx, now, lease, free));
      if (!claimed.length) break;
      for (const delivery of claimed) {
        const p = this.deliver(delivery).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const started = Date.now();
    // The wall clock, not the injected one: receivers compare webhook-timestamp with theirs (5 minutes' tolerance).
    const at = new Date();
    let statusCode: number | null = null;
    let excerpt: string | null = null;
    let error: string | null = null;
    try {
      const body = JSON.stringify(d.payload);
      const signer = new Signer(this.o.sealer.open(d.secret, d.webhookId));
      // The timestamp is the attempt's: receivers refuse signatures older than a few minutes.
      const signature = signer.sign(d.eventId, at, body);
      const response = await this.post(d.url, body, {
        'content-type': 'application/json',
        'user-agent': 'keyscope-webhooks',
        'webhook-id': d.eventId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      });
      statusCode = response.status;
      // PostgreSQL text holds no NUL: a receiver's NULs would leave the attempt unrecorded, sent again forever.
      excerpt = withoutNul(response.body).slice(0, EXCERPT);
      if (statusCode < 200 || statusCode > 299) error = `the receiver answered ${statusCode}`;
    } catch (e) {
      error = withoutNul(e instanceof Error ? e.message : String(e));
    }
    const attempt: DeliveryAttempt = {
      at,
      statusCode,
      responseExcerpt: excerpt,
      error,
      durationMs: Date.now() - started,
    };
    const delivered = error === null;
    const nextAt = delivered ? null : nextAttemptAt(this.o.retry, d.retryFrom, d.attempts + 1, this.o.now());
    try {
      await this.o.db.transaction((tx) =>
        recordAttempt(tx, d.id, attempt, delivered ? { delivered: true } : { delivered: false, nextAt }),
      );
    } catch (e) {
      // Not recorded: the lease runs out and the row is sent again (at least once).
      this.o.logger.warn(
        { err: e instanceof Error ? e.message : String(e), delivery: d.id },
        'webhook attempt not recorded',
      );
      return;
    }
    if (!delivered)
      this.o.logger.info(
        { delivery: d.id, webhook: d.webhookId, statusCode, error, nextAttemptAt: nextAt?.toISOString() ?? 'given up' },
        'webhook delivery failed',
      );
  }

  /** POSTs with a timeout, connecting only to addresses the target rules allow (checked after DNS). */
  private post(
    target: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const problem = urlProblem(target);
    if (problem) return Promise.reject(new Error(`the URL ${problem}`));
    const url = new URL(target);
    const allowPrivate = this.o.allowPrivateTargets;
    // Checked on the addresses the connection is made to, so a name that resolves inside is refused
    // even if it resolved outside when the webhook was saved.
    const guarded: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const list = addresses as unknown as LookupAddress[];
        const inside = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
        if (inside) {
          return callback(
            Object.assign(new Error(`${hostname} resolves to ${inside.address}, a private address (refused)`), {
              code: 'EPRIVATE',
            }),
            '',
            0,
          );
        }
        if ((options as { all?: boolean }).all)
          return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      });
    };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivate && /^[\d.]+$|:/.test(host) && isPrivateAddress(host))
      return Promise.reject(new Error(`${host} is a private, loopback, link-local or metadata address (refused)`));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: guarded,
          timeout: this.o.timeoutMs,
          agent: false,
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < EXCERPT) text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      // One deadline for the whole exchange, not only idle time between packets.
      const deadline = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)),
        this.o.timeoutMs,
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', reject);
      req.on('close', () => clearTimeout(deadline));
      req.end(body);
    });
  }
}
