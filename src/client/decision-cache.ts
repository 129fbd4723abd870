import { createHmac, randomBytes } from 'node:crypto';
import type { AuthorizeDecision } from './keyscope-client.js';

/**
 * keyscope promises that a revocation (or any change to what a key may do) reaches every keyscope
 * process within 1 second. A service that caches keyscope's decisions adds its cache's lifetime on
 * top, so the lifetime is clamped to this: a cached decision is never older than 1 second.
 */
export const MAX_DECISION_TTL_MS = 1000;

export interface DecisionCacheOptions {
  /** How long a decision may be reused, in ms; clamped to [0, MAX_DECISION_TTL_MS]; 0 turns the cache off. */
  ttlMs: number;
  /** At most this many decisions are kept; the least recently used go first. */
  maxEntries: number;
  /** The clock, in ms (tests). */
  now?: () => number;
}

interface Entry {
  decision: AuthorizeDecision;
  /** When keyscope was asked, plus the TTL: the answer reflects keyscope's state at that time or later. */
  expiresAt: number;
}

interface Pending {
  answer: Promise<AuthorizeDecision>;
  sentAt: number;
}

/**
 * keyscope's recent decisions, keyed by an HMAC of the token (with a key that lives only in this
 * process's memory) plus the permission and resource: the raw token is never stored, and the keys
 * are useless outside this process. Decisions, denials included, are kept at most `ttlMs` counted
 * from when keyscope was asked; errors (invalid token, keyscope down) are never kept. Concurrent
 * misses for the same key share one request to keyscope, if it was sent less than `ttlMs` ago.
 */
export class DecisionCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Pending>();

  constructor(options: DecisionCacheOptions) {
    if (!Number.isFinite(options.ttlMs) || options.ttlMs < 0)
      throw new TypeError('DecisionCache: ttlMs must be a number of milliseconds, 0 or more');
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new TypeError('DecisionCache: maxEntries must be a whole number, 1 or more');
    this.ttlMs = Math.min(options.ttlMs, MAX_DECISION_TTL_MS);
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cache keys held now (an HMAC digest and the query; never a token): for tests and debugging. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The cache key of a query: HMAC-SHA-256 of the token, then the permission and resource. */
  keyOf(token: string, permission: string, resource: string | undefined): string {
    const digest = createHmac('sha256', this.secret).update(token).digest('base64url');
    return `${digest} ${JSON.stringify([permission, resource ?? null])}`;
  }

  /**
   * The decision for this query: from the cache, from a request already on its way, or from `ask`
   * (whose rejection is passed on and never cached). `cached` says no request was made for it.
   */
  async decide(
    token: string,
    permission: string,
    resource: string | undefined,
    ask: () => Promise<AuthorizeDecision>,
  ): Promise<{ decision: AuthorizeDecision; cached: boolean }> {
    if (this.ttlMs === 0) return { decision: await ask(), cached: false };
    const key = this.keyOf(token, permission, resource);
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      if (entry.expiresAt > now) {
        this.entries.set(key, entry); // most recently used goes last
        return { decision: entry.decision, cached: true };
      }
    }
    const inFlight = this.pending.get(key);
    if (inFlight && now - inFlight.sentAt < this.ttlMs) return { decision: await inFlight.answer, cached: true };

    const sentAt = now;
    const answer = ask();
    const mine: Pending = { answer, sentAt };
    this.pending.set(key, mine);
    try {
      const decision = await answer;
      this.store(key, { decision, expiresAt: sentAt + this.ttlMs });
      return { decision, cached: false };
    } finally {
      if (this.pending.get(key) === mine) this.pending.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  private store(key: string, entry: Entry): void {
    if (entry.expiresAt <= this.now()) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }
}
