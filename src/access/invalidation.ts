import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { CHANGES_CHANNEL, type ChangeNotice } from '../db/unit-of-work.js';
import type { PrincipalCache } from './principal-cache.js';
import type { VerifiedTokens } from './verified-tokens.js';

/**
 * Keeps every process's principal cache true to the database (DESIGN §5): it listens for what units
 * of work (db/unit-of-work.ts) announce, and evicts what they changed; this process's own writes are
 * evicted right after they commit, through `evict`.
 */
export class Invalidation {
  private unlisten?: () => Promise<void>;
  private readonly caches: Pick<PrincipalCache<unknown>, 'evict' | 'flush' | 'setCoherent'>[] = [];
  private readonly listeners: ((tags: string[]) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly cache: PrincipalCache,
    private readonly verified: VerifiedTokens,
    private readonly logger: Logger,
    private readonly onPickup: (lagMs: number) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(CHANGES_CHANNEL, {
      onMessage: (payload) => this.receive(payload),
      // Verified secrets stay valid through a gap: revocation is read again with the principal.
      onGap: (state) => {
        this.cache.setCoherent(state === 'restored');
        for (const c of this.caches) c.setCoherent(state === 'restored');
        this.tell(['*']);
      },
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  private receive(raw: string): void {
    let payload: ChangeNotice;
    try {
      payload = JSON.parse(raw) as ChangeNotice;
      if (!Array.isArray(payload.t)) throw new Error('no tags');
    } catch {
      this.logger.warn('unreadable invalidation notification; flushing the principal cache');
      this.cache.flush();
      for (const c of this.caches) c.flush();
      this.tell(['*']);
      return;
    }
    this.evict(payload.t);
    if (typeof payload.at === 'number') this.onPickup(Math.max(0, Date.now() - payload.at));
  }

  /** Evicts every cached principal that depends on one of `tags`. */
  evict(tags: string[]): void {
    this.cache.evict(tags);
    for (const c of this.caches) c.evict(tags);
    for (const t of tags) if (t.startsWith('k:')) this.verified.forgetKey(t.slice(2));
    this.tell(tags);
  }

  /** Another cache kept the same way (the subjects of impersonation tokens). */
  alsoEvict(cache: Pick<PrincipalCache<unknown>, 'evict' | 'flush' | 'setCoherent'>): void {
    this.caches.push(cache);
  }

  /** Told every change (`*` when changes may have been missed): the signing keys reload on theirs. */
  onChange(listener: (tags: string[]) => void): void {
    this.listeners.push(listener);
  }

  private tell(tags: string[]): void {
    for (const listener of this.listeners) listener(tags);
  }
}
