import type { Principal } from '../principals/principal.js';

interface Entry<T> {
  principal: T;
  tags: string[];
  expiresAt: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/**
 * Resolved principals by key id, evicted by tag when anything they depend on changes.
 * Resolution reads the database without a lock, so a change can commit while a resolution is in
 * flight; `epoch` moves on every eviction, and a resolution that started in an older epoch is not
 * stored (it may hold what the change replaced). The TTL is only a safety net.
 */
export class PrincipalCache<T = Principal> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly byTag = new Map<string, Set<string>>();
  private currentEpoch = 0;
  private coherent = true;
  readonly stats: CacheStats = { hits: 0, misses: 0, size: 0 };

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get epoch(): number {
    return this.currentEpoch;
  }

  get(keyId: string): T | undefined {
    const entry = this.entries.get(keyId);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.delete(keyId);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return entry.principal;
  }

  /** Stores a resolution unless something was evicted since it started, or notifications are down. */
  set(keyId: string, principal: T, tags: string[], startedInEpoch: number): void {
    if (startedInEpoch !== this.currentEpoch || !this.coherent) return;
    this.delete(keyId);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    this.entries.set(keyId, { principal, tags, expiresAt: this.now() + this.ttlMs });
    for (const t of tags) {
      const set = this.byTag.get(t) ?? new Set<string>();
      if (!set.size) this.byTag.set(t, set);
      set.add(keyId);
    }
    this.stats.size = this.entries.size;
  }

  /** Evicts every principal depending on any of `tags`; returns the evicted key ids. */
  evict(tags: Iterable<string>): string[] {
    this.currentEpoch++;
    const evicted: string[] = [];
    for (const t of tags) {
      if (t === '*') {
        evicted.push(...this.entries.keys());
        this.flush();
        return evicted;
      }
      for (const keyId of this.byTag.get(t) ?? []) {
        evicted.push(keyId);
        this.delete(keyId);
      }
    }
    return evicted;
  }

  flush(): void {
    this.currentEpoch++;
    this.entries.clear();
    this.byTag.clear();
    this.stats.size = 0;
  }

  /** While notifications may be missed nothing is cached, so no stale principal can outlive the gap. */
  setCoherent(coherent: boolean): void {
    this.coherent = coherent;
    this.flush();
  }

  private delete(keyId: string): void {
    const entry = this.entries.get(keyId);
    if (!entry) return;
    this.entries.delete(keyId);
    for (const t of entry.tags) {
      const set = this.byTag.get(t);
      if (!set) continue;
      set.delete(keyId);
      if (!set.size) this.byTag.delete(t);
    }
    this.stats.size = this.entries.size;
  }
}
