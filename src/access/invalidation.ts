import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/db.js';
import { chunkPayloads, notify } from '../db/notify.js';
import type { PrincipalCache } from './principal-cache.js';
import type { VerifiedTokens } from './verified-tokens.js';

export const INVALIDATION_CHANNEL = 'keyscope_invalidate';

/** Marks what a write changed, with the tags of resolver.ts (`k:`, `g:`, `u:`, `o:`, or `*`). */
export type MarkChanged = (...tags: string[]) => void;

interface Payload {
  t: string[];
  at: number;
}

/**
 * Keeps every process's principal cache true to the database (DESIGN §5). A write marks the tags it
 * changed; they go out with NOTIFY inside its transaction, so every listening process evicts them
 * once it commits, and this process evicts them itself right after the commit, so its next request
 * already sees the change.
 */
export class Invalidation {
  private unlisten?: () => Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly cache: PrincipalCache,
    private readonly verified: VerifiedTokens,
    private readonly logger: Logger,
    private readonly onPickup: (lagMs: number) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(INVALIDATION_CHANNEL, {
      onMessage: (payload) => this.receive(payload),
      // Verified secrets stay valid through a gap: revocation is read again with the principal.
      onGap: (state) => this.cache.setCoherent(state === 'restored'),
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Runs `work` in a transaction that publishes what it marks as changed. */
  async write<T>(work: (tx: Queryable, changed: MarkChanged) => Promise<T>): Promise<T> {
    let tags = new Set<string>();
    const result = await this.db.transaction(async (tx) => {
      tags = new Set();
      const value = await work(tx, (...t) => t.forEach((x) => tags.add(x)));
      if (tags.size) {
        const at = Date.now();
        await notify(tx, INVALIDATION_CHANNEL, chunkPayloads([...tags], (chunk) => JSON.stringify({ t: chunk, at } satisfies Payload)));
      }
      return value;
    });
    if (tags.size) this.evict([...tags]);
    return result;
  }

  private receive(raw: string): void {
    let payload: Payload;
    try {
      payload = JSON.parse(raw) as Payload;
      if (!Array.isArray(payload.t)) throw new Error('no tags');
    } catch {
      this.logger.warn('unreadable invalidation notification; flushing the principal cache');
      this.cache.flush();
      return;
    }
    this.evict(payload.t);
    if (typeof payload.at === 'number') this.onPickup(Math.max(0, Date.now() - payload.at));
  }

  private evict(tags: string[]): void {
    this.cache.evict(tags);
    for (const t of tags) if (t.startsWith('k:')) this.verified.forgetKey(t.slice(2));
  }
}
